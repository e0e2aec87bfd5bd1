import os

from wmill import step, task, workflow


@task
async def a():
    return 1


@task
async def b():
    return 2


@workflow
async def main():
    if os.path.exists(os.environ["WAC_TEST_FLAG"]):  # wac: ignore[WAC101]
        await step("flagged", lambda: 1)
    first = await a()
    return first + await b()
