from wmill import task, workflow


@task
async def double(n: int):
    return n * 2


@task
async def add(a: int, b: int):
    return a + b


@workflow
async def main():
    a = await double(5)
    b = await double(3)
    return await add(a, b)
