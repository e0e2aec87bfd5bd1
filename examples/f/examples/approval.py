from wmill import task, wait_for_approval, workflow


@task
async def deploy(env: str):
    print(f"Deploying to {env}")
    return f"deployed to {env}"


@workflow
async def main(env: str = "staging"):
    approval = await wait_for_approval(timeout=3600)
    if not approval["approved"]:
        return f"Deployment rejected by {approval['approver']}"
    return await deploy(env)
