from wmill import task, wait_for_approval, workflow


@task
async def deploy(env: str):
    return f"deployed {env}"


@workflow
async def main(env: str = "prod", timeout: int = 3600):
    approval = await wait_for_approval(timeout=timeout, form={"reason": {"type": "string"}})
    if not approval["approved"]:
        return {"rejected_by": approval["approver"], "value": approval["value"]}
    return await deploy(env)
