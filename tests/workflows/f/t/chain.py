from wmill import task, workflow


@task
async def step(i: int):
    return i


@workflow
async def main(n: int = 20):
    total = 0
    for i in range(n):
        total += await step(i)
    return total
