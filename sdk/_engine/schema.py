"""The job store's tables, as an ordered list of migrations (`PRAGMA user_version`).

Migration 1 is the layout stores had before versioning (it is a no-op on
them); later ones only add. Never edit a released migration: append one.
"""

from __future__ import annotations

_V1 = [
    """CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY,
        parent_id TEXT,
        root_id TEXT NOT NULL,
        kind TEXT NOT NULL,            -- workflow (rounds) | task (child replay) | script | flow
        script_path TEXT NOT NULL,     -- the file the job's host imports
        target TEXT,                   -- task function or task_script/task_flow path
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
        completed_at REAL
    )""",
    "CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent_id)",
    "CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status)",
    """CREATE TABLE IF NOT EXISTS steps (
        job_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        alloc_index INTEGER,
        child_job_id TEXT,
        seq INTEGER NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (job_id, key)
    )""",
    # checkpoint refresh and step numbering read by seq: without it each is a scan
    "CREATE INDEX IF NOT EXISTS steps_seq ON steps(job_id, seq)",
    """CREATE TABLE IF NOT EXISTS pending (
        job_id TEXT NOT NULL,
        key TEXT NOT NULL,
        child_job_id TEXT,
        kind TEXT NOT NULL,            -- task | sleep | approval
        alloc_index INTEGER,
        detail TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (job_id, key)
    )""",
    """CREATE TABLE IF NOT EXISTS logs (
        job_id TEXT NOT NULL,
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS logs_job ON logs(job_id, seq)",
    """CREATE TABLE IF NOT EXISTS events (
        job_id TEXT NOT NULL,
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        key TEXT,
        detail TEXT
    )""",
    "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
]

_V2 = [
    # who may see a job (a workspace of `wac server`; `local` for previews)
    "ALTER TABLE jobs ADD COLUMN workspace TEXT NOT NULL DEFAULT 'local'",
    "ALTER TABLE jobs ADD COLUMN origin TEXT",             # preview | api | api_preview | child
    "ALTER TABLE jobs ADD COLUMN project_root TEXT",       # import root (workspace imports)
    "ALTER TABLE jobs ADD COLUMN windmill_path TEXT",      # f/x/y
    "ALTER TABLE jobs ADD COLUMN script_hash TEXT",        # deployed version, for server jobs
    "ALTER TABLE jobs ADD COLUMN python TEXT",             # interpreter the job's host runs in
    "ALTER TABLE jobs ADD COLUMN checkpoint_seq INTEGER",  # child: the parent's checkpoint at dispatch
    "ALTER TABLE jobs ADD COLUMN alloc_index INTEGER",     # child: its key's position in the parent
    "ALTER TABLE jobs ADD COLUMN lease_owner TEXT",        # root: the process that drives it
    "ALTER TABLE jobs ADD COLUMN lease_expires REAL",
    "ALTER TABLE jobs ADD COLUMN created_by TEXT",
    "ALTER TABLE jobs ADD COLUMN log_size INTEGER NOT NULL DEFAULT 0",  # UTF-16 units, as Windmill counts
    "CREATE INDEX IF NOT EXISTS jobs_root ON jobs(root_id)",
    "CREATE INDEX IF NOT EXISTS jobs_listing ON jobs(workspace, parent_id, created_at)",
    "ALTER TABLE logs ADD COLUMN end_offset INTEGER",      # UTF-16 offset where this chunk ends
    """CREATE TABLE IF NOT EXISTS resumes (
        job_id TEXT NOT NULL,
        resume_id INTEGER NOT NULL,
        approved INTEGER NOT NULL,
        approver TEXT,
        value TEXT,
        created_at REAL NOT NULL,
        consumed_by TEXT,              -- the approval key that used it
        PRIMARY KEY (job_id, resume_id)
    )""",
    # approval steps whose URLs were minted ahead of time: those URLs answer only their step
    """CREATE TABLE IF NOT EXISTS approval_urls (
        job_id TEXT NOT NULL,
        key TEXT NOT NULL,
        resume_id INTEGER NOT NULL,
        PRIMARY KEY (job_id, key)
    )""",
]

_V3 = [
    # a run that answers a flow job (`task_flow`, a flow's `flow` step): that job's id (see calls.py)
    "ALTER TABLE jobs ADD COLUMN called_by TEXT",
    "CREATE INDEX IF NOT EXISTS jobs_called_by ON jobs(called_by) WHERE called_by IS NOT NULL",
]

_V4 = [
    # a run's events found without reading every run's (a long-used store holds many thousands)
    "CREATE INDEX IF NOT EXISTS events_job ON events(job_id, seq)",
]

_V5 = [
    # a step() call's timing ({started_at, duration_ms}), read as its `step` event: one row per step, not two
    "ALTER TABLE steps ADD COLUMN detail TEXT",
]

MIGRATIONS: list[list[str]] = [_V1, _V2, _V3, _V4, _V5]
