"""A run's own cache and concurrency limit, as Windmill applies a script's or a flow's `cache_ttl`,
`concurrent_limit`, `concurrency_time_window_s` and `concurrency_key` to its job.

A run with `cache_ttl` answers from the result of an earlier successful run of the same code with the
same arguments while that result is fresh, without running. A run with `concurrent_limit` starts only
while fewer than that many runs with its concurrency key hold a slot: started and not over (waiting on
its tasks, sleeping or suspended included), or started within the time window when there is one.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .._failures import encode
from .store import JobStore

RUN_OPTIONS = ("cache_ttl", "concurrent_limit", "concurrency_time_window_s", "concurrency_key")
# jobs that hold a concurrency slot: running, or between rounds of a run that started
HOLDING = ("(status IN ('running','waiting','sleeping','approval')"
           " OR (parent_id IS NULL AND status='queued' AND started_at IS NOT NULL))")
_ARG = re.compile(r"\$args\[([^\]]+)\]")


def options_of(fields: dict[str, Any], identity: Any = None) -> dict[str, Any]:
    """The run options a script's metadata or a flow's value sets (the others are left out). `identity`: what
    its cached results are filed under instead of the file it runs (a flow's path and value, as Windmill's)."""
    options = {name: fields[name] for name in RUN_OPTIONS if fields.get(name) not in (None, "", 0)}
    if identity is not None and options.get("cache_ttl"):
        options["cache_of"] = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return options


def concurrency_key(options: dict[str, Any], default: str, args: dict[str, Any], workspace: str) -> str | None:
    """The key a limited run is counted under: its custom key (`$workspace` and `$args[name]` filled in, as
    Windmill does), else `default` (the script's or flow's path); None when the run has no limit."""
    if not options.get("concurrent_limit"):
        return None
    custom = options.get("concurrency_key")
    if not custom:
        return default
    filled = custom.replace("$workspace", workspace)
    return _ARG.sub(lambda m: _text(args.get(m.group(1))), filled)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else encode(value)


def cache_key(options: dict[str, Any], code: str, source_hash: str | None, args: dict[str, Any]) -> str | None:
    """What a cached result is filed under: the code that ran (its file and content, or its `cache_of`) and its
    arguments."""
    if not options.get("cache_ttl"):
        return None
    code_of = [options["cache_of"]] if options.get("cache_of") else [code, source_hash]
    return hashlib.sha256(json.dumps(["run", *code_of, args], sort_keys=True, default=str).encode()).hexdigest()


def cached(store: JobStore, key: str, now: float) -> tuple[Any, float] | None:
    """A fresh result filed under `key`, with when it expires."""
    row = store.db.execute("SELECT value, expires_at FROM cache WHERE key=? AND expires_at>?", (key, now)).fetchone()
    return None if row is None else (row[0], row[1])


def remember(store: JobStore, options: dict[str, Any], result: Any, now: float) -> None:
    """File a successful run's result for `cache_ttl` seconds (inside the transaction that ends the run)."""
    if options.get("cache_key"):
        store.db.execute("INSERT OR REPLACE INTO cache(key, value, expires_at) VALUES (?,?,?)",
                         (options["cache_key"], encode(result), now + float(options["cache_ttl"])))


def holders(store: JobStore, key: str, window_s: Any, now: float, exclude: str | None = None) -> int:
    """How many jobs hold a slot of concurrency key `key` (also those started within `window_s`, if given)."""
    query = f"SELECT COUNT(*) FROM jobs WHERE concurrency_key=? AND id IS NOT ? AND ({HOLDING}"
    params: list[Any] = [key, exclude]
    if window_s:
        query += " OR started_at>?"
        params.append(now - float(window_s))
    return store.db.execute(query + ")", params).fetchone()[0]


def slot_free(store: JobStore, row, now: float) -> bool:
    """Whether run `row` may start now under its concurrency limit (asked inside the starting transaction)."""
    options = json.loads(row["options"])
    limit, key = options.get("concurrent_limit"), row["concurrency_key"]
    if not limit or not key:
        return True
    return holders(store, key, options.get("concurrency_time_window_s"), now, exclude=row["id"]) < int(limit)


def task_may_start(store: JobStore, row, chosen: list, now: float) -> bool:
    """Whether task `row`'s concurrency limit leaves room, counting the tasks `chosen` to start with it."""
    options = json.loads(row["options"])
    limit = options.get("concurrent_limit")
    if not limit:
        return True
    limit -= sum(1 for other in chosen if other["concurrency_key"] == row["concurrency_key"])
    return holders(store, row["concurrency_key"], options.get("concurrency_time_window_s"), now) < limit
