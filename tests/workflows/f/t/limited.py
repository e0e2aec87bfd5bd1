import asyncio
import time

from f.t.marker import mark
from wmill import task, workflow


@task(concurrency_limit=2, concurrency_key="limited")
async def work(i: int):
    mark("start", i)
    time.sleep(0.3)
    mark("end", i)
    return i


@workflow
async def main(n: int = 6):
    return await asyncio.gather(*[work(i) for i in range(n)])
