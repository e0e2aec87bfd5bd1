import os

from wmill import task, workflow


@task
async def a():
    return 1


@task
async def b():
    return 2


@workflow
async def main():
    first = await (a() if os.path.exists(os.environ["WAC_TEST_FLAG"]) else b())  # wac: ignore[WAC101]
    return first
