"""Its idle children call its warm-up before they get a job (WAC_TEST_FLAG set: the warm-up fails)."""

import os
import time

from wmill import task, workflow

from f.t.marker import mark

WARMED = []


def __wac_warm__():
    WARMED.append(os.getpid())
    mark("warm", os.getpid())
    if os.path.exists(os.environ["WAC_TEST_FLAG"]):
        raise RuntimeError("a warm-up that fails")


@task
async def warmed(i: int):
    time.sleep(0.2)  # the child forked meanwhile, for the next round, is idle long enough to warm up
    return len(WARMED)  # 1: this process (a round that went on as this task) warmed up first


@workflow
async def main(n: int = 3):
    return [await warmed(i) for i in range(n)]
