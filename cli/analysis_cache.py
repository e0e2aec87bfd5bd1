"""What `preview` needs from the parser (findings, schema), cached by content hash.

A warm preview then never imports libcst: ~0.1 s of a sub-second run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .json_cache import JsonCache

CACHE_NAME = "analysis.json"
CACHE_FORMAT = "1"
MAX_ENTRIES = 2000


def analysis_key(code: str, modules: frozenset[str] | None, rules_version: str) -> str:
    digest = hashlib.sha256(f"{rules_version}\0{sorted(modules) if modules is not None else None}\0".encode())
    digest.update(code.encode("utf-8"))
    return digest.hexdigest()


def open_cache(cache_dir: Path) -> JsonCache:
    return JsonCache(cache_dir / CACHE_NAME, CACHE_FORMAT, MAX_ENTRIES)
