from f.t.marker import mark
from wmill import task, workflow


@task
async def side(n: int):
    mark("side", n)
    return n


@workflow
async def main():
    side(1)  # wac: ignore[WAC109]
    return "workflow value"
