import uuid
from datetime import datetime

from wmill import step, task, workflow


@task
async def process_order(order_id: str, ts: str):
    print(f"Processing order {order_id} created at {ts}")
    return {"order_id": order_id, "ts": ts, "status": "processed"}


@workflow
async def main():
    order_id = await step("order_id", lambda: str(uuid.uuid4()))
    timestamp = await step("timestamp", lambda: datetime.now().isoformat())
    return await process_order(order_id, timestamp)
