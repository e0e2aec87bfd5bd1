"""The job store: one SQLite file holding jobs, checkpoints, logs and timelines.

Reads live here; state changes are in `recording` (one transaction each).
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from .db import Transaction, connect

TERMINAL = ("success", "failure", "canceled")


def new_id() -> str:
    """A random (version 4) UUID, as Windmill's job ids are (without importing `uuid`, and `platform` with it,
    in every process)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Job(NamedTuple):
    """One job: a run (root) or one of its tasks."""

    id: str
    root_id: str
    parent_id: str | None
    workspace: str
    kind: str  # workflow | task | script | flow
    origin: str | None
    status: str
    script_path: str
    windmill_path: str | None
    step_key: str | None
    target: str | None
    args: dict[str, Any]
    options: dict[str, Any]
    result: Any
    tag: str | None
    priority: int
    attempt: int
    source_hash: str | None
    script_hash: str | None
    created_by: str | None
    wake_at: float | None
    lease_owner: str | None
    log_size: int
    created_at: float
    started_at: float | None
    completed_at: float | None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.completed_at is None:
            return None
        return self.completed_at - self.started_at

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Job":
        return cls(id=row["id"], root_id=row["root_id"], parent_id=row["parent_id"], workspace=row["workspace"],
                   kind=row["kind"], origin=row["origin"], status=row["status"], script_path=row["script_path"],
                   windmill_path=row["windmill_path"], step_key=row["step_key"], target=row["target"],
                   args=loads(row["args"]) or {}, options=loads(row["options"]) or {}, result=loads(row["result"]),
                   tag=row["tag"], priority=row["priority"], attempt=row["attempt"],
                   source_hash=row["source_hash"], script_hash=row["script_hash"], created_by=row["created_by"],
                   wake_at=row["wake_at"], lease_owner=row["lease_owner"], log_size=row["log_size"],
                   created_at=row["created_at"], started_at=row["started_at"], completed_at=row["completed_at"])


class Event(NamedTuple):
    """A timeline entry of a run."""

    job_id: str
    at: float
    kind: str
    key: str | None
    detail: Any


_ROW = "SELECT * FROM jobs WHERE id=?"
_STATUS = "SELECT status, run_token FROM jobs WHERE id=?"
STORE_SQL = (_ROW, _STATUS)  # read by every job's transactions (see job_sql.JOB_SQL)


class JobStore:
    """A connection to the job store; open one per process (never across fork)."""

    def __init__(self, path: Path, *, create: bool = True, child: bool = False) -> None:
        self.path = path
        self.db = connect(path, create=create, child=child)

    def transaction(self) -> Transaction:
        return Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # -- rows ------------------------------------------------------------------
    def row(self, job_id: str) -> sqlite3.Row | None:
        return self.db.execute(_ROW, (job_id,)).fetchone()

    def status(self, job_id: str) -> tuple[str, str | None] | None:
        """(status, run_token) of a job: the scheduler's hot-path read."""
        row = self.db.execute(_STATUS, (job_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def steps_since(self, job_id: str, seq: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT key, value, alloc_index, seq FROM steps WHERE job_id=? AND seq>? ORDER BY seq",
                               (job_id, seq)).fetchall()

    def pending(self, job_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM pending WHERE job_id=? ORDER BY alloc_index", (job_id,)).fetchall()

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return None if row is None else row[0]

    # -- jobs --------------------------------------------------------------------
    def job(self, job_id: str) -> Job | None:
        row = self.row(job_id)
        return None if row is None else Job.from_row(row)

    def find(self, prefix: str, workspace: str | None = None) -> list[Job]:
        """Jobs whose id starts with `prefix` (ids can be shortened, as in git)."""
        query = "SELECT * FROM jobs WHERE id >= ? AND id < ?"
        params: list[Any] = [prefix, prefix + "\uffff"]
        if workspace is not None:
            query += " AND workspace=?"
            params.append(workspace)
        return [Job.from_row(r) for r in self.db.execute(query + " ORDER BY created_at LIMIT 20", params)]

    def children(self, job_id: str) -> list[Job]:
        return [Job.from_row(r) for r in
                self.db.execute("SELECT * FROM jobs WHERE parent_id=? ORDER BY created_at", (job_id,))]

    def called_runs(self, run_id: str) -> list[Job]:
        """The runs that flow jobs of run `run_id` started (see calls.py), oldest first."""
        return [Job.from_row(r) for r in self.db.execute(
            "SELECT c.* FROM jobs c JOIN jobs j ON j.id=c.called_by WHERE j.root_id=? ORDER BY c.created_at",
            (run_id,))]

    def tree(self, root_id: str) -> list[Job]:
        """The run and all its tasks, oldest first."""
        return [Job.from_row(r) for r in
                self.db.execute("SELECT * FROM jobs WHERE root_id=? ORDER BY created_at", (root_id,))]

    def runs(self, *, workspace: str | None = None, limit: int | None = 50, statuses: tuple[str, ...] = (),
             script: str | None = None, before: float | None = None) -> list[Job]:
        """Runs (root jobs), newest first."""
        query, params = "SELECT * FROM jobs WHERE parent_id IS NULL", []
        if workspace is not None:
            query += " AND workspace=?"
            params.append(workspace)
        if statuses:
            query += f" AND status IN ({','.join('?' * len(statuses))})"
            params.extend(statuses)
        if script is not None:
            query += " AND windmill_path=?"
            params.append(script)
        if before is not None:
            query += " AND created_at<?"
            params.append(before)
        query += " ORDER BY created_at DESC"
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return [Job.from_row(r) for r in self.db.execute(query, params)]

    def count_runs(self, workspace: str | None = None) -> int:
        if workspace is None:
            return self.db.execute("SELECT COUNT(*) FROM jobs WHERE parent_id IS NULL").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM jobs WHERE parent_id IS NULL AND workspace=?",
                               (workspace,)).fetchone()[0]

    def waiting_for(self, job_id: str) -> list[dict[str, Any]]:
        """What a run waits on: `{key, kind, detail}` per pending step."""
        return [{"key": r["key"], "kind": r["kind"], "detail": loads(r["detail"])} for r in self.pending(job_id)]

    # -- logs and timeline ------------------------------------------------------------
    def logs(self, job_id: str, after: int = 0) -> list[tuple[int, str]]:
        """Log chunks after chunk number `after`, as (number, text)."""
        return [(r[0], r[1]) for r in
                self.db.execute("SELECT seq, text FROM logs WHERE job_id=? AND seq>? ORDER BY seq", (job_id, after))]

    def log_text(self, job_id: str, offset: int = 0) -> str:
        """The job's log from UTF-16 offset `offset` on (how Windmill clients count)."""
        rows = self.db.execute("SELECT text, end_offset FROM logs WHERE job_id=? AND end_offset>? ORDER BY seq",
                               (job_id, offset)).fetchall()
        if not rows:
            return ""
        first, end = rows[0]
        start = end - utf16_len(first)
        skip = max(0, offset - start)
        head = first.encode("utf-16-le")[2 * skip:].decode("utf-16-le", "replace") if skip else first
        return head + "".join(r[0] for r in rows[1:])

    def events(self, root_id: str) -> list[Event]:
        """The run's timeline: its events, with each `step()` call's (kept on its step's row) where it fell."""
        rows = self.db.execute("SELECT e.* FROM events e JOIN jobs j ON j.id=e.job_id WHERE j.root_id=? "
                               "ORDER BY e.seq", (root_id,))
        events = [Event(r["job_id"], r["at"], r["kind"], r["key"], loads(r["detail"])) for r in rows]
        steps = self.db.execute("SELECT s.job_id, s.created_at, s.key, s.detail FROM steps s JOIN jobs j"
                                " ON j.id=s.job_id WHERE j.root_id=? AND s.detail IS NOT NULL ORDER BY s.created_at",
                                (root_id,))
        return list(heapq.merge(events, (Event(r[0], r[1], "step", r[2], loads(r[3])) for r in steps),
                                key=lambda event: event.at))

    def events_since(self, root_id: str, seq: int) -> list[tuple[int, Event]]:
        """The run's events after `seq`: the store's events from there on, in order (CROSS JOIN keeps that
        plan), from the run's first when `seq` is 0, so a long-used store is not read from its start."""
        if not seq:
            first = self.db.execute("SELECT MIN(seq) FROM events WHERE job_id=?", (root_id,)).fetchone()[0]
            seq = (first or 1) - 1
        rows = self.db.execute("SELECT e.* FROM events e CROSS JOIN jobs j ON j.id=e.job_id WHERE j.root_id=? "
                               "AND e.seq>? ORDER BY e.seq", (root_id, seq))
        return [(r["seq"], Event(r["job_id"], r["at"], r["kind"], r["key"], loads(r["detail"]))) for r in rows]

    def iter_step_values(self, job_id: str) -> Iterator[tuple[str, Any]]:
        for row in self.db.execute("SELECT key, value FROM steps WHERE job_id=? ORDER BY seq", (job_id,)):
            yield row[0], loads(row[1])


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts a string."""
    return len(text.encode("utf-16-le")) // 2
