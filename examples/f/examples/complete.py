import uuid
from datetime import datetime

from wmill import parallel, sleep, step, task, wait_for_approval, workflow


@task
async def fetch_page(page: int):
    return [{"page": page, "row": row} for row in range(3)]


@task
async def process_chunk(items: list):
    return [{**item, "processed": True} for item in items]


@task
async def save_results(results: list):
    print(f"Saved {len(results)} results")
    return {"saved": len(results)}


@workflow
async def main(page_count: int = 4):
    run_id = await step("run_id", lambda: str(uuid.uuid4()))
    started_at = await step("started_at", lambda: datetime.now().isoformat())
    pages = await parallel(
        list(range(1, page_count + 1)),
        lambda page: fetch_page(page),
        concurrency=5,
    )
    processed = await parallel(pages, lambda page_data: process_chunk(page_data), concurrency=3)
    approval = await wait_for_approval(timeout=3600)
    if not approval["approved"]:
        return {"run_id": run_id, "status": "rejected", "approver": approval["approver"]}
    flat = [item for sublist in processed for item in sublist]
    save_result = await save_results(flat)
    await sleep(1)
    return {
        "run_id": run_id,
        "started_at": started_at,
        **save_result,
        "approved_by": approval["approver"],
    }
