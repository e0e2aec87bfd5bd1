"""What `preview` needs from the parser (findings, schema), cached by content hash.

A warm preview then never imports libcst: ~0.1 s of a sub-second run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .files import write_atomic

CACHE_NAME = "analysis.json"
MAX_ENTRIES = 2000


def analysis_key(code: str, modules: frozenset[str] | None, rules_version: str) -> str:
    digest = hashlib.sha256(f"{rules_version}\0{sorted(modules) if modules is not None else None}\0".encode())
    digest.update(code.encode("utf-8"))
    return digest.hexdigest()


def load(cache_dir: Path, key: str) -> dict[str, Any] | None:
    try:
        return json.loads((cache_dir / CACHE_NAME).read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def store(cache_dir: Path, key: str, entry: dict[str, Any]) -> None:
    path = cache_dir / CACHE_NAME
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, dict):
            entries = {}
    except (OSError, ValueError):
        entries = {}
    entries[key] = entry
    try:
        write_atomic(path, json.dumps(dict(list(entries.items())[-MAX_ENTRIES:])))
    except OSError:
        pass  # a cache that cannot be written only costs speed next time
