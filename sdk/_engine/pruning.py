"""Deleting finished runs from the job store (`wac job prune`)."""

from __future__ import annotations

from .store import JobStore

_TABLES = (("logs", "job_id"), ("events", "job_id"), ("steps", "job_id"), ("pending", "job_id"),
           ("resumes", "job_id"), ("approval_urls", "job_id"), ("jobs", "id"))


def prune(store: JobStore, *, older_than: float | None = None, keep: int | None = None) -> int:
    """Delete finished runs (with their tasks, logs and timeline) older than a time or beyond the newest `keep`."""
    with store.transaction() as db:
        rows = db.execute("SELECT id, created_at FROM jobs WHERE parent_id IS NULL AND status IN"
                          " ('success','failure','canceled') ORDER BY created_at DESC").fetchall()
        doomed = [r[0] for i, r in enumerate(rows)
                  if (older_than is not None and r[1] < older_than) or (keep is not None and i >= keep)]
        for root in doomed:
            ids = [r[0] for r in db.execute("SELECT id FROM jobs WHERE root_id=?", (root,))]
            marks = ",".join("?" * len(ids))
            for table, column in _TABLES:
                db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)
        return len(doomed)
