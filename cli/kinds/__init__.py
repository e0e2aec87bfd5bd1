"""Windmill item kinds: which files each owns, its routes, and how its files map to API bodies and back.

generate-metadata, sync, lint and `wac server` ask this package (never a table of their own) what
a file is (`paths.kind_of`, `paths.item_of`), which files a sync compares (`scope`), and how an
item of a kind is rendered from the workspace archive, pushed, stored and served (`KINDS`).
Scripts keep their own modules (`remote.script_payload`, `server.scripts`): they have versions.
Names load on first use, so a command that only needs `paths` or `languages` loads nothing else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_FROM_BASE = ("CREATED", "DELETED", "UPDATED", "UP_TO_DATE", "ItemError", "ItemKind", "PushContext",
              "RenderContext", "Route", "archive_json", "is_superset", "same_json")
_FROM_REGISTRY = ("KINDS", "ORDER", "archived_kind", "order_of")
__all__ = sorted((*_FROM_BASE, *_FROM_REGISTRY))

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .base import (CREATED, DELETED, UP_TO_DATE, UPDATED, ItemError, ItemKind, PushContext, RenderContext,
                       Route, archive_json, is_superset, same_json)
    from .registry import KINDS, ORDER, archived_kind, order_of


def __getattr__(name: str) -> Any:
    module = "base" if name in _FROM_BASE else "registry" if name in _FROM_REGISTRY else None
    if module is None:
        raise AttributeError(f"module 'wac.cli.kinds' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
