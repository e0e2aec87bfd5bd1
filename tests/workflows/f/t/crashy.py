import random
import time

from f.t.marker import mark
from wmill import step, task, workflow


@task
async def unit(i: int):
    mark("task", f"unit{'_' + str(i + 1) if i else ''}")
    time.sleep(random.uniform(0.01, 0.05))
    return i


@workflow
async def main(n: int = 10):
    total = 0
    for i in range(n):
        total += await unit(i)
        key = "stamp" if i == 0 else f"stamp_{i + 1}"
        stamp = await step("stamp", lambda: mark("step", key) or i)
        total += stamp
    return total
