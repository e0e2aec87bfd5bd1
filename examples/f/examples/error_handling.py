from wmill import task, workflow
from wmill.client import TaskError


@task
async def risky_operation(data: str):
    if data == "bad":
        raise Exception("Invalid data")
    return f"processed: {data}"


@task
async def fallback(error: str):
    return f"fallback result for: {error}"


@workflow
async def main(data: str = "bad"):
    try:
        return await risky_operation(data)
    except TaskError as e:
        print(f"Task failed: {e}")
        return await fallback(str(e))
