from wmill import parallel, task, workflow


@task
async def process_item(item: int):
    return item * 2


@workflow
async def main():
    items = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    results = await parallel(items, lambda item: process_item(item))
    batched = await parallel(items, lambda item: process_item(item), concurrency=3)
    return {"results": results, "batched": batched}
