from wmill import task, workflow

ROUNDS_SEEN = []


@task
async def tick(i: int):
    return i


@workflow
async def main(n: int = 3):
    ROUNDS_SEEN.append(1)  # module state: a fresh copy every round, as on a worker
    seen = []
    for i in range(n):
        await tick(i)
        seen.append(len(ROUNDS_SEEN))
    return seen
