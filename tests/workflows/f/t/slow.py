import time

from f.t.marker import mark
from wmill import step, task, workflow


@task
async def slow(i: int):
    mark("slow-start", i)
    time.sleep(2.5)
    mark("slow-end", i)
    return i


@workflow
async def main():
    first = await step("first", lambda: mark("step", "first") or 1)
    return first + await slow(1)
