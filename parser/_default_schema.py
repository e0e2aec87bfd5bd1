"""The schema of a brand-new `.script.yaml` (no libcst needed to know it)."""

from __future__ import annotations

from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def default_schema() -> dict[str, Any]:
    return {"$schema": SCHEMA_DIALECT, "type": "object", "properties": {}, "required": []}
