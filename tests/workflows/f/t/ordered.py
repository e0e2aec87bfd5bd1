import asyncio

from f.t.marker import mark
from wmill import task, workflow


@task(priority=1)
async def low():
    mark("ran", "low")


@task(priority=10)
async def high():
    mark("ran", "high")


@workflow
async def main():
    await asyncio.gather(low(), high())
    return "done"
