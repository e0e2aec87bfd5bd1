"""Runs that wait: a durable sleep until its wake-up time, an approval until answered or timed out."""

from __future__ import annotations

import json
import time
from typing import Any

from . import recording
from .store import JobStore


def sleeping(store: JobStore, settings, run, row) -> bool:
    """Wake the run when its sleep is over (or at once with `skip_sleeps`); else show how long is left.
    Whether it woke (its next round is queued)."""
    pending = store.pending(run.id)
    if not pending:
        return False
    key, remaining = pending[0]["key"], row["wake_at"] - time.time()
    if settings.skip_sleeps or remaining <= 0:
        detail = {"skipped_s": round(max(remaining, 0), 3)} if settings.skip_sleeps else None
        return recording.resolve_wait(store, run.id, key, True, "woke", detail)
    settings.on_sleep(run.id, key, row["wake_at"])
    return False


def skipped_seconds(store: JobStore, run_id: str) -> float:
    """How much sleep a run's fast-forwarded wake-ups skipped: how far ahead its virtual clock is."""
    rows = store.db.execute("SELECT detail FROM events WHERE job_id=? AND kind='woke' AND detail IS NOT NULL",
                            (run_id,))
    return sum(json.loads(detail).get("skipped_s", 0) for (detail,) in rows)


def approval(store: JobStore, settings, run, row) -> bool:
    """Ask once who answers (flags, a prompt); time the approval out when nobody does. Whether it ended
    (the run's next round is queued)."""
    pending = [p for p in store.pending(run.id) if p["kind"] == "approval"]
    if not pending:
        return False
    key, detail = pending[0]["key"], json.loads(pending[0]["detail"])
    if run.asked != key:
        run.asked = key
        run.answer = settings.on_approval(run.id, key, detail, row["wake_at"])
        if isinstance(run.answer, dict):
            _answer(store, run.id, key, run.answer)
            return True
    unanswered = run.answer is None and not settings.stop_unanswered
    if time.time() >= row["wake_at"] or (settings.skip_sleeps and unanswered):
        return recording.resolve_wait(store, run.id, key, recording.TIMED_OUT_APPROVAL, "approval_timeout")
    return False


def _answer(store: JobStore, run_id: str, key: str, answer: dict[str, Any]) -> None:
    recording.answer_approval(store, run_id, answer.get("approved", True), answer.get("value"),
                              answer.get("approver"), key)
