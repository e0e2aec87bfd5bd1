"""Map a pure function over many inputs, on all cores when there are enough of them."""

from __future__ import annotations

import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_on_cores(fn: Callable[[T], R], inputs: Sequence[T], threshold: int) -> list[R]:
    """`[fn(x) for x in inputs]`, in forked worker processes when there are `threshold` or more."""
    workers = os.cpu_count() or 1
    if len(inputs) < threshold or workers < 2:
        return [fn(x) for x in inputs]
    import multiprocessing  # a tenth of a run's start-up: only when there is work to spread
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in inputs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(fn, inputs, chunksize=max(1, len(inputs) // (workers * 4))))
