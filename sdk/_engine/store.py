"""The job store: one SQLite file (WAL) holding jobs, checkpoints, logs and timeline.

Every state change that belongs together is one IMMEDIATE transaction, and a
child's completion is recorded at most once (guarded by its run token), so
the scheduler can die at any point and a resume continues from what is here.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    parent_id TEXT,
    root_id TEXT NOT NULL,
    kind TEXT NOT NULL,            -- workflow | task | script
    script_path TEXT NOT NULL,     -- the local file the job runs
    target TEXT,                   -- task function name or script/module target
    step_key TEXT,                 -- key in the parent's checkpoint
    args TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,          -- queued running waiting sleeping approval success failure canceled
    result TEXT,
    source_hash TEXT,
    priority INTEGER NOT NULL DEFAULT 0,
    tag TEXT,
    concurrency_key TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    run_token TEXT,
    wake_at REAL,
    created_at REAL NOT NULL,
    started_at REAL,
    completed_at REAL,
    clock_offset REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent_id);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE TABLE IF NOT EXISTS steps (
    job_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    alloc_index INTEGER,
    child_job_id TEXT,
    seq INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (job_id, key)
);
-- checkpoint refresh and step numbering read by seq: without this, each is a scan of the job's steps
CREATE INDEX IF NOT EXISTS steps_seq ON steps(job_id, seq);
CREATE TABLE IF NOT EXISTS pending (
    job_id TEXT NOT NULL,
    key TEXT NOT NULL,
    child_job_id TEXT,
    kind TEXT NOT NULL,            -- task | sleep | approval
    alloc_index INTEGER,
    detail TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, key)
);
CREATE TABLE IF NOT EXISTS logs (
    job_id TEXT NOT NULL,
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_job ON logs(job_id, seq);
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL,
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    key TEXT,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
SCHEMA_VERSION = "2"
TERMINAL = ("success", "failure", "canceled")


def new_id() -> str:
    return str(uuid.uuid4())


def dumps(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


class JobStore:
    """A connection to the job store; open one per process (never across fork)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE) so a
        # writer takes the lock up front instead of failing half-way on upgrade.
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it consistent
        self.db.execute("PRAGMA busy_timeout=30000")  # task processes write concurrently
        self._migrate()

    def _migrate(self) -> None:
        version = None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            version = row[0] if row else None
        except sqlite3.OperationalError:
            pass
        if version != SCHEMA_VERSION:
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # -- reads -------------------------------------------------------------
    def job(self, job_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()

    def find_job(self, prefix: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM jobs WHERE id LIKE ? ORDER BY created_at", (prefix + "%",)).fetchall()

    def children(self, job_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM jobs WHERE parent_id=? ORDER BY created_at", (job_id,)).fetchall()

    def roots(self, limit: int = 50) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM jobs WHERE parent_id IS NULL ORDER BY created_at DESC LIMIT ?",
                               (limit,)).fetchall()

    def steps_since(self, job_id: str, seq: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM steps WHERE job_id=? AND seq>? ORDER BY seq", (job_id, seq)).fetchall()

    def pending(self, job_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM pending WHERE job_id=?", (job_id,)).fetchall()

    def logs(self, job_id: str, after: int = 0) -> list[sqlite3.Row]:
        return self.db.execute("SELECT seq, text FROM logs WHERE job_id=? AND seq>? ORDER BY seq",
                               (job_id, after)).fetchall()

    def events(self, root_id: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT e.* FROM events e JOIN jobs j ON j.id=e.job_id WHERE j.root_id=? ORDER BY e.seq",
            (root_id,)).fetchall()

    def iter_jobs(self, root_id: str) -> Iterator[sqlite3.Row]:
        yield from self.db.execute("SELECT * FROM jobs WHERE root_id=? ORDER BY created_at", (root_id,))

    # -- small writes (caller holds a transaction) ---------------------------
    def add_event(self, job_id: str, kind: str, key: str | None = None, detail: Any = None,
                  at: float | None = None) -> None:
        self.db.execute("INSERT INTO events(job_id, at, kind, key, detail) VALUES (?,?,?,?,?)",
                        (job_id, time.time() if at is None else at, kind, key,
                         None if detail is None else dumps(detail)))

    def add_step(self, job_id: str, key: str, value: Any, alloc_index: int | None,
                 child_job_id: str | None = None) -> bool:
        """Record a completed step once; False when the key was already recorded."""
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE job_id=?", (job_id,)).fetchone()[0]
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO steps(job_id, key, value, alloc_index, child_job_id, seq, created_at)"
            " VALUES (?,?,?,?,?,?,?)", (job_id, key, dumps(value), alloc_index, child_job_id, seq, time.time()))
        return cursor.rowcount == 1

    def append_logs(self, job_id: str, texts: list[str]) -> None:
        self.db.executemany("INSERT INTO logs(job_id, text) VALUES (?, ?)", [(job_id, t) for t in texts])


class _Transaction:
    """`with store.transaction():` BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
