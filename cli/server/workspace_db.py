"""The server's own records: workspaces, tokens, script versions, and every other item (SQLite, WAL).

Jobs live in the engine's job store, not here. Every change is one
transaction, so a killed server never leaves half a script version.
Tokens are stored as SHA-256 digests only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL)",
    """CREATE TABLE IF NOT EXISTS tokens (
        digest TEXT PRIMARY KEY, workspace TEXT NOT NULL, label TEXT NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scripts (
        workspace TEXT NOT NULL,
        hash TEXT NOT NULL,            -- 16 hex characters, as Windmill's
        path TEXT NOT NULL,
        parent_hash TEXT,
        content TEXT NOT NULL,
        language TEXT NOT NULL,
        fields TEXT NOT NULL,          -- summary, description, schema, lock, kind and the optional knobs
        modules TEXT,                  -- {relpath: {content, language, lock?}} or NULL
        deployment_message TEXT,
        created_by TEXT,
        created_at REAL NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace, hash)
    )""",
    "CREATE INDEX IF NOT EXISTS scripts_path ON scripts(workspace, path, created_at)",
    "CREATE INDEX IF NOT EXISTS scripts_parent ON scripts(workspace, parent_hash)",
    """CREATE TABLE IF NOT EXISTS folders (
        workspace TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (workspace, name))""",
    # Every kind but scripts: folders, resources, resource types, variables, flows, schedules, triggers.
    """CREATE TABLE IF NOT EXISTS items (
        workspace TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
        value TEXT NOT NULL,           -- the item as the workspace archive holds it (JSON)
        edited_at REAL NOT NULL, PRIMARY KEY (workspace, kind, path))""",
    # Folders were kept in their own table before every kind had one home.
    """INSERT OR IGNORE INTO items(workspace, kind, path, value, edited_at)
        SELECT workspace, 'folder', name, fields, 0 FROM folders""",
    "DELETE FROM folders",
]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WorkspaceDB:
    """Thread-safe access: one SQLite connection per thread, transactions per change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with self.transaction() as db:
            for statement in SCHEMA:
                db.execute(statement)

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on this thread's connection."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- workspaces and tokens --------------------------------------------------------------
    def ensure_workspace(self, workspace: str) -> bool:
        """Create the workspace if missing; True when it was created."""
        with self.transaction() as db:
            created = db.execute("INSERT OR IGNORE INTO workspaces(id, name, created_at) VALUES (?,?,?)",
                                 (workspace, workspace, time.time())).rowcount
            return bool(created)

    def workspaces(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM workspaces ORDER BY id")]

    def workspace_exists(self, workspace: str) -> bool:
        return self.db.execute("SELECT 1 FROM workspaces WHERE id=?", (workspace,)).fetchone() is not None

    def set_token(self, workspace: str, token: str, label: str = "admin") -> None:
        """Make `token` the workspace's `label` token (replacing the previous one: rotation)."""
        with self.transaction() as db:
            db.execute("DELETE FROM tokens WHERE workspace=? AND label=?", (workspace, label))
            db.execute("INSERT INTO tokens(digest, workspace, label, created_at) VALUES (?,?,?,?)",
                       (token_digest(token), workspace, label, time.time()))

    def token_workspace(self, token: str) -> str | None:
        row = self.db.execute("SELECT workspace FROM tokens WHERE digest=?", (token_digest(token),)).fetchone()
        return None if row is None else row[0]

    # -- scripts -------------------------------------------------------------------------------
    def head(self, workspace: str, path: str, *, include_archived: bool = False) -> sqlite3.Row | None:
        """The latest version at `path` (archived ones only when asked)."""
        query = "SELECT * FROM scripts WHERE workspace=? AND path=? AND deleted=0"
        if not include_archived:
            query += " AND archived=0"
        return self.db.execute(query + " ORDER BY created_at DESC, rowid DESC LIMIT 1", (workspace, path)).fetchone()

    def version(self, workspace: str, script_hash: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM scripts WHERE workspace=? AND hash=?", (workspace, script_hash)).fetchone()

    def heads(self, workspace: str) -> list[sqlite3.Row]:
        """The latest live version of every path."""
        return self.db.execute(
            "SELECT s.* FROM scripts s WHERE s.workspace=? AND s.archived=0 AND s.deleted=0 AND s.rowid = ("
            " SELECT t.rowid FROM scripts t WHERE t.workspace=s.workspace AND t.path=s.path AND t.deleted=0"
            " ORDER BY t.created_at DESC, t.rowid DESC LIMIT 1) ORDER BY s.path", (workspace,)).fetchall()

    def history(self, workspace: str, path: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT hash, deployment_message FROM scripts WHERE workspace=? AND path=? AND deleted=0"
                               " ORDER BY created_at DESC, rowid DESC", (workspace, path)).fetchall()

    def has_child(self, workspace: str, parent_hash: str) -> str | None:
        row = self.db.execute("SELECT hash FROM scripts WHERE workspace=? AND parent_hash=? LIMIT 1",
                              (workspace, parent_hash)).fetchone()
        return None if row is None else row[0]

    def insert_version(self, db: sqlite3.Connection, workspace: str, version: dict[str, Any]) -> None:
        """Add a version (inside the caller's transaction)."""
        db.execute(
            "INSERT INTO scripts(workspace, hash, path, parent_hash, content, language, fields, modules,"
            " deployment_message, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (workspace, version["hash"], version["path"], version["parent_hash"], version["content"],
             version["language"], json.dumps(version["fields"]),
             None if version["modules"] is None else json.dumps(version["modules"]), version["deployment_message"],
             version["created_by"], time.time()))

    def set_archived(self, workspace: str, path: str) -> int:
        with self.transaction() as db:
            return db.execute("UPDATE scripts SET archived=1 WHERE workspace=? AND path=? AND deleted=0",
                              (workspace, path)).rowcount

    def delete_path(self, workspace: str, path: str) -> int:
        with self.transaction() as db:
            return db.execute("UPDATE scripts SET deleted=1 WHERE workspace=? AND path=? AND deleted=0",
                              (workspace, path)).rowcount

    # -- every other kind ----------------------------------------------------------------------
    def item(self, workspace: str, kind: str, path: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM items WHERE workspace=? AND kind=? AND path=?",
                              (workspace, kind, path)).fetchone()
        return None if row is None else json.loads(row[0])

    def items(self, workspace: str, kind: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(kind, path, value) of the workspace's items (of one kind), by kind and path."""
        query, args = "SELECT kind, path, value FROM items WHERE workspace=?", [workspace]
        if kind is not None:
            query, args = query + " AND kind=?", [workspace, kind]
        for row in self.db.execute(query + " ORDER BY kind, path", args):
            yield row[0], row[1], json.loads(row[2])

    def put_item(self, workspace: str, kind: str, path: str, value: dict[str, Any], *, create: bool | None) -> bool:
        """Create (False if it exists) or replace (False if it does not) an item, in one transaction;
        `create=None`: either."""
        with self.transaction() as db:
            exists = db.execute("SELECT 1 FROM items WHERE workspace=? AND kind=? AND path=?",
                                (workspace, kind, path)).fetchone() is not None
            if create is not None and exists == create:
                return False
            db.execute("INSERT OR REPLACE INTO items(workspace, kind, path, value, edited_at) VALUES (?,?,?,?,?)",
                       (workspace, kind, path, json.dumps(value), time.time()))
            return True

    def delete_item(self, workspace: str, kind: str, path: str) -> bool:
        with self.transaction() as db:
            return bool(db.execute("DELETE FROM items WHERE workspace=? AND kind=? AND path=?",
                                   (workspace, kind, path)).rowcount)
