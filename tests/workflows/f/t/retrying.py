import os

from f.t.marker import mark
from wmill import task, workflow


@task(retry={"attempts": 2, "delay": 1})
async def flaky():
    path = os.environ["WAC_TEST_MARKS"]
    attempts = sum(1 for line in open(path)) if os.path.exists(path) else 0
    mark("attempt", attempts + 1)
    if attempts < 1:
        raise RuntimeError("first attempt fails")
    return "ok"


@workflow
async def main():
    return await flaky()
