from datetime import datetime

from wmill import sleep, step, task, workflow


@task
async def fetch_data(n: int):
    return [{"id": i, "value": i * i} for i in range(n)]


@task
async def transform(data: list):
    return {"count": len(data), "summary": data[:5]}


@task
async def notify(message: str):
    print(f"Sending notification: {message}")
    return "sent"


@workflow
async def main(n: int = 3):
    started_at = await step("started_at", lambda: datetime.now().isoformat())
    data = await fetch_data(n)
    result = await transform(data)
    await sleep(1)
    await notify(f"Processed {result['count']} items since {started_at}")
    return result
