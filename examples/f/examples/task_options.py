from wmill import task, workflow


@task(timeout=600, tag="heavy", cache_ttl=3600, priority=10, concurrency_limit=5,
      concurrency_key="heavy_compute", concurrency_time_window_s=60)
async def heavy_compute(data: list):
    return sum(data)


@workflow
async def main(data: list = [1, 2, 3]):
    return await heavy_compute(data)
