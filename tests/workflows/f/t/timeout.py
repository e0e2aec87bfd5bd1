import time

from wmill import task, workflow
from wmill.client import TaskError


@task(timeout=1)
async def slow():
    time.sleep(30)
    return "never"


@workflow
async def main():
    try:
        return await slow()
    except TaskError as exc:
        return {"caught": str(exc), "key": exc.step_key}
