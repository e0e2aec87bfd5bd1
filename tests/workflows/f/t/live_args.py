from datetime import datetime

from wmill import task, workflow


@task
async def kinds(when, pair):
    return [type(when).__name__, type(pair).__name__]


@task()
def plain(x: int):
    return x + 1


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    async def scale(self, x):
        return x * self.factor


@workflow
async def main(offset: int = 5):
    @task
    async def shifted(x):
        return x + offset

    double = task(lambda x: x * 2)
    scale = task(Scaler(3).scale)
    return {"kinds": await kinds(datetime(2026, 1, 1), (1, 2)), "closure": await shifted(1),
            "lambda": await double(4), "method": await scale(x=2), "plain": await plain(1)}
