from wmill import task_flow, workflow  # wac: ignore

pipeline = task_flow("f/etl/pipeline")  # wac: ignore


@workflow
async def main():
    return await pipeline(x=1)
