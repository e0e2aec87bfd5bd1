from f.t.marker import mark
from wmill import task, workflow


@task(cache_ttl=60)
async def expensive(x: int):
    mark("expensive", x)
    return x * 10


@workflow
async def main(x: int = 1):
    return await expensive(x)
