"""The job store's SQLite connection: pragmas, migrations, transactions, clear errors.

One connection per process (and per thread that writes); never carried
across a fork, so forked rounds and tasks open their own.
"""

from __future__ import annotations

import errno
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Callable

from .schema import MIGRATIONS

BUSY_TIMEOUT_SECONDS = 30.0
# Waits between tries to take the write lock: a transaction of ours holds it well under a millisecond,
# while SQLite's own busy handler sleeps 1, 2, 5, 10 ms... between its tries.
_LOCK_WAITS = (0.0001, 0.0002, 0.0005, 0.001, 0.002)
_BUSY_TIMEOUT = f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}"
_NO_WAIT = "PRAGMA busy_timeout=0"
TRANSACTION_SQL = ("BEGIN IMMEDIATE", "COMMIT")  # what every transaction runs (a PRAGMA compiles each time)
_TOO_MANY_VALUES = (None,) * 100  # more than any statement of ours takes


class NoWaitConnection(sqlite3.Connection):
    """A connection that never waits inside SQLite (busy timeout 0): a forked child's, whose every write is a
    transaction begun by `execute_when_free`, and whose reads, in WAL mode, take no lock a writer holds. Its
    transactions skip the two busy-timeout changes a waiting connection makes around BEGIN (29 of the 181 us
    a `step()` took to record)."""


class StoreError(Exception):
    """The job store cannot be used; `message` names the path, `hint` the fix."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def connect(path: Path, *, create: bool = True, child: bool = False) -> sqlite3.Connection:
    """Open (and if needed create or upgrade) the store at `path`.

    A forked child (`child`) opens a store its scheduler already set up: WAL
    mode is a property of the file and the schema is current, so it only sets
    what is per connection.
    """
    if child:  # mode=rw: a child never creates the file
        db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0, isolation_level=None,
                             check_same_thread=False, factory=NoWaitConnection)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=NORMAL")
        return db
    if not create and not path.is_file():
        raise StoreError(f"no job store at {path}", "run `wac script preview <script>` first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {path.parent}: {exc.strerror}",
                         "check the folder's permissions, or choose another store with --store") from None
    try:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE) so a
        # writer takes the lock up front instead of failing half-way on upgrade.
        # timeout: rounds, tasks and servers write concurrently
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it consistent
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        raise store_error(path, exc) from None
    return db


def store_error(path: Path, exc: BaseException) -> StoreError:
    """A clear message for what SQLite or the OS said about the store file."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or getattr(exc, "errno", None) in (errno.EROFS, errno.EACCES):
        return StoreError(f"the job store {path} is read-only",
                          "make it (and its folder) writable, or choose another store with --store")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"the job store {path} is corrupt ({exc})",
                          f"move it aside (e.g. `mv {path} {path}.broken`); a new one is created on the next run")
    if "unable to open" in text:
        return StoreError(f"cannot open the job store {path}",
                          "check that its folder exists and is writable, or choose another store with --store")
    if "locked" in text or "busy" in text:
        return StoreError(f"the job store {path} stayed locked by another process",
                          "wait for the other wac process to finish, then retry")
    return StoreError(f"job store {path}: {exc}", "see the message above; --debug shows details")


def _migrate(db: sqlite3.Connection) -> None:
    """Apply the migrations this store has not seen, in order, under one write lock."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
        return
    begin_immediate(db)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
        for step in MIGRATIONS[version:]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version={len(MIGRATIONS)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def begin_immediate(db: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, retried soon after a busy answer (see `execute_when_free`)."""
    execute_when_free(db, "BEGIN IMMEDIATE")


def execute_when_free(db: sqlite3.Connection, sql: str) -> None:
    """Run `sql`, retried soon after a busy answer (within BUSY_TIMEOUT_SECONDS), not after SQLite's own waits:
    on a store where rounds, tasks and the scheduler each hold a lock briefly, those waits dominate."""
    if isinstance(db, NoWaitConnection):
        _retried(db, sql)
        return
    db.execute(_NO_WAIT)
    try:
        _retried(db, sql)
    finally:
        db.execute(_BUSY_TIMEOUT)


def _retried(db: sqlite3.Connection, sql: str) -> None:
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    for attempt in itertools.count():
        try:
            db.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(_LOCK_WAITS[min(attempt, len(_LOCK_WAITS) - 1)])


def prepare_statements(db: sqlite3.Connection, statements: tuple[str, ...], stop: Callable[[], bool]) -> None:
    """Compile `statements` into the connection's statement cache without running them, until `stop()`: with a
    wrong number of values, sqlite3 prepares and caches a statement, then refuses to bind (CPython 3.10 to 3.13
    alike; a version that did not cache would only lose the head start). A forked child does this while it
    waits for its job, so the job's transactions do not spend half their time compiling."""
    for sql in statements:
        if stop():
            return
        try:
            db.execute(sql, _TOO_MANY_VALUES)
        except sqlite3.ProgrammingError:  # compiled and cached, then refused: what this is for
            pass
        except sqlite3.Error:  # a store its scheduler has yet to upgrade: the job compiles what it runs, then
            return


class Transaction:
    """`with Transaction(db):` BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        begin_immediate(self.db)
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
