"""Runs that wait: a durable sleep until its wake-up time, an approval until answered or timed out."""

from __future__ import annotations

import json
import time
from typing import Any

from . import recording
from .store import JobStore


def sleeping(store: JobStore, settings, run, row) -> None:
    """Wake the run when its sleep is over (or at once with `skip_sleeps`); else show how long is left."""
    pending = store.pending(run.id)
    if not pending:
        return
    key, remaining = pending[0]["key"], row["wake_at"] - time.time()
    if settings.skip_sleeps or remaining <= 0:
        detail = {"skipped_s": round(max(remaining, 0), 3)} if settings.skip_sleeps else None
        recording.resolve_wait(store, run.id, key, True, "woke", detail)
    else:
        settings.on_sleep(run.id, key, row["wake_at"])


def approval(store: JobStore, settings, run, row) -> None:
    """Ask once who answers (flags, a prompt); time the approval out when nobody does."""
    pending = [p for p in store.pending(run.id) if p["kind"] == "approval"]
    if not pending:
        return
    key, detail = pending[0]["key"], json.loads(pending[0]["detail"])
    if run.asked != key:
        run.asked = key
        run.answer = settings.on_approval(run.id, key, detail, row["wake_at"])
        if isinstance(run.answer, dict):
            _answer(store, run.id, key, run.answer)
            return
    unanswered = run.answer is None and not settings.stop_unanswered
    if time.time() >= row["wake_at"] or (settings.skip_sleeps and unanswered):
        recording.resolve_wait(store, run.id, key, recording.TIMED_OUT_APPROVAL, "approval_timeout")


def _answer(store: JobStore, run_id: str, key: str, answer: dict[str, Any]) -> None:
    recording.answer_approval(store, run_id, answer.get("approved", True), answer.get("value"),
                              answer.get("approver"), key)
