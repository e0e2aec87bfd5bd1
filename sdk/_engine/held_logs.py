"""Job output on its way to the store, held per job and written in batches.

Output reaches the terminal at once and the store in batches: one write per job and interval instead of
one per chunk, so the store's write lock is not fought over on every print. Held by job (not by process),
a round that goes on as its task leaves its output to the interval's write instead of writing it then,
while its task is about to record its own end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from . import recording
from .store import JobStore, utf16_len

LOG_FLUSH_SECONDS = 0.1
LOG_FLUSH_BYTES = 1 << 16


@dataclass
class _Held:
    texts: list[str] = field(default_factory=list)
    size: int = 0
    since: float = field(default_factory=time.monotonic)


class HeldLogs:
    """Each job's output not yet in the store, in the order it came."""

    def __init__(self, store: Callable[[], JobStore]) -> None:
        self._store = store
        self._jobs: dict[str, _Held] = {}

    def add(self, job_id: str, text: str) -> None:
        held = self._jobs.setdefault(job_id, _Held())
        held.texts.append(text)
        held.size += len(text)
        if held.size >= LOG_FLUSH_BYTES:
            self.flush(job_id)

    def holds(self, job_id: str) -> bool:
        return job_id in self._jobs

    def flush(self, job_id: str) -> None:
        held = self._jobs.pop(job_id, None)
        if held is not None:
            text = "".join(held.texts)
            recording.append_log(self._store(), job_id, text, utf16_len(text))

    def flush_due(self, now: float) -> None:
        """Write what has been held for the flush interval."""
        for job_id in [j for j, held in self._jobs.items() if now - held.since >= LOG_FLUSH_SECONDS]:
            self.flush(job_id)

    def flush_all(self) -> None:
        for job_id in list(self._jobs):
            self.flush(job_id)

    def deadline(self, default: float) -> float:
        """When the next batch is due (`default` if none is held)."""
        return min([default, *(held.since + LOG_FLUSH_SECONDS for held in self._jobs.values())])
