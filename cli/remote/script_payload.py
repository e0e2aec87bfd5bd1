"""The body of `POST scripts/create` for a local script, exactly as `wmill sync push` builds it.

Keys in wmill's order, absent fields left out (an explicit `null` in the
`.script.yaml` is sent as null), the lock read from its `!inline` file,
modules from the `__mod/` folder.
"""

from __future__ import annotations

from typing import Any, Callable

from wac.parser import default_schema

from ..metadata.script_metadata import INLINE, MetadataError, parse_metadata_text
from .layout import MOD, is_content, language_of, role_of

_MISSING = object()
# After content, description, language, path, summary, kind, lock, schema (handleFile's requestBodyCommon).
_OPTIONAL_KEYS = ("tag", "ws_error_handler_muted", "dedicated_worker", "cache_ttl", "cache_ignore_s3_path",
                  "concurrency_time_window_s", "concurrent_limit", "deployment_message", "restart_unless_cancelled",
                  "visible_to_runner_only", "has_preprocessor", "priority", "concurrency_key", "debounce_key",
                  "debounce_delay_s", "debounce_args_to_accumulate", "max_total_debouncing_time",
                  "max_total_debounces_amount", "timeout", "delete_after_secs", "on_behalf_of_email", "envs",
                  "modules", "labels")
# Compared by wmill's "is up to date" check besides content, language and lock.
_COMPARED = ("summary", "description", "kind", "schema", "tag", "dedicated_worker", "cache_ttl", "priority",
             "delete_after_secs", "concurrency_key", "debounce_key", "debounce_delay_s", "max_total_debouncing_time",
             "max_total_debounces_amount", "envs", "on_behalf_of_email")
_FLAGS = ("ws_error_handler_muted", "cache_ignore_s3_path", "restart_unless_cancelled", "visible_to_runner_only",
          "has_preprocessor")


class PayloadError(Exception):
    """The script's files cannot make a deployable script; the message names the file."""


def default_metadata() -> dict[str, Any]:
    """What `wmill` deploys for a script that has no `.script.yaml`."""
    return {"summary": "", "description": "", "lock": "", "kind": "script", "schema": default_schema()}


def build(item: str, files: dict[str, str], read_file: Callable[[str], str | None], default_ts: str,
          message: str | None) -> tuple[dict[str, Any], bool]:
    """(body, has_metadata) for script `item` from the repo's files (path -> text)."""
    content_path, metadata_path, modules = _files_of(item, files)
    if content_path is None:
        raise PayloadError(f"{item}: no script file (a script cannot be deployed from its metadata alone)")
    meta = _metadata(metadata_path, files, read_file)
    has_metadata = meta is not None
    meta = meta if meta is not None else default_metadata()
    body: dict[str, Any] = {
        "content": files[content_path],
        "description": _or(meta.get("description"), ""),
        "language": language_of(content_path, default_ts),
        "path": item,
        "summary": _or(meta.get("summary"), ""),
    }
    for key in ("kind", "lock", "schema"):
        if key in meta:
            body[key] = meta[key]
    limit = _positive(meta.get("concurrent_limit"))
    values = dict(meta, concurrent_limit=limit if limit is not None else _MISSING,
                  concurrency_time_window_s=_or(meta.get("concurrency_time_window_s"), _MISSING) if limit is not None
                  else _MISSING, timeout=_positive(meta.get("timeout")) or _MISSING,
                  deployment_message=message if message is not None else _MISSING,
                  modules=_modules(item, modules, files, default_ts) or _MISSING)
    for key in _OPTIONAL_KEYS:
        value = values.get(key, _MISSING)
        if value is not _MISSING:
            body[key] = value
    return body, has_metadata


def local_perms(item: str, files: dict[str, str]) -> Any:
    """The script's sharing as its `.script.yaml` states it (`extra_perms`; None: it does not say)."""
    _, metadata_path, _ = _files_of(item, files)
    if metadata_path is None:
        return None
    try:
        return parse_metadata_text(metadata_path, files[metadata_path]).get("extra_perms")
    except MetadataError as exc:
        raise PayloadError(str(exc)) from None


def up_to_date(body: dict[str, Any], remote: dict[str, Any]) -> bool:
    """wmill's check before writing: same content and the same metadata as the deployed version."""
    if remote.get("archived") or body["content"] != remote.get("content"):
        return False
    language = "bun" if remote.get("language") == "bunnative" else remote.get("language")
    remote_lock = remote.get("lock")
    remote_lock = "\n".join(remote_lock) if isinstance(remote_lock, list) else remote_lock or ""
    if body["language"] != language or (body.get("lock") or "").strip() != remote_lock.strip():
        return False
    if any(body.get(key) != remote.get(key) for key in _COMPARED):
        return False
    if any(bool(body.get(key)) != bool(remote.get(key)) for key in _FLAGS):
        return False
    remote_limit = _positive(remote.get("concurrent_limit"))
    remote_window = remote.get("concurrency_time_window_s") if remote_limit is not None else None
    return all((
        body.get("concurrent_limit") == remote_limit,
        body.get("concurrency_time_window_s") == remote_window,
        body.get("timeout") == _positive(remote.get("timeout")),
        (body.get("labels") or None) == (remote.get("labels") or None),
        (body.get("modules") or None) == (remote.get("modules") or None),
    ))


def _files_of(item: str, files: dict[str, str]) -> tuple[str | None, str | None, list[str]]:
    content = metadata = None
    modules = []
    for path in files:
        if path != item and not path.startswith((item + ".", item + MOD)):
            continue
        role = role_of(path, item)
        if role == "content" and is_content(path):
            content = path
        elif role == "metadata":
            metadata = path
        elif role.startswith("module:"):
            modules.append(path)
    return content, metadata, sorted(modules)


def _metadata(path: str | None, files: dict[str, str], read_file: Callable[[str], str | None]) -> dict | None:
    if path is None:
        return None
    try:
        meta = parse_metadata_text(path, files[path])
    except MetadataError as exc:
        raise PayloadError(str(exc)) from None
    lock = meta.get("lock")
    if isinstance(lock, list):
        meta["lock"] = lock = "\n".join(map(str, lock))
    if isinstance(lock, str) and lock.startswith(INLINE):
        meta["lock"] = read_file(lock.split(" ", 1)[1]) or ""
    return meta


def _modules(item: str, paths: list[str], files: dict[str, str], default_ts: str) -> dict[str, Any]:
    modules = {}
    for path in paths:
        rel = path[len(item + MOD):]
        language = language_of(rel.rsplit("/", 1)[-1], default_ts)
        if rel.endswith(".lock") or language is None:
            continue
        module: dict[str, Any] = {"content": files[path], "language": language}
        lock = files.get(f"{path.rsplit('.', 1)[0]}.lock")
        if lock is not None:
            module["lock"] = lock
        modules[rel] = module
    return modules


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _positive(value: Any) -> Any:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
