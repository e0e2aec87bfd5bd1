"""A script's `.script.yaml`: created with Windmill's defaults, schema rebuilt from main()."""

from __future__ import annotations

from typing import Any


from .items import ScriptItem
from .yaml_load import YAMLError, describe
from .yaml_load import load as load_yaml

INLINE = "!inline "


class MetadataError(Exception):
    """The `.script.yaml` exists but cannot be used; the message names the file."""


def default_metadata(item: ScriptItem) -> dict[str, Any]:
    from wac.parser import default_schema

    return {"summary": "", "description": "", "lock": INLINE + item.lock_local, "kind": "script",
            "schema": default_schema()}


def parse_metadata_text(name: str, text: str) -> dict[str, Any]:
    """The metadata in `text` (file `name`) as data; MetadataError names the file."""
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        raise MetadataError(f"{name}: invalid YAML: {describe(exc)}") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{name}: expected a mapping of fields")
    return data


def with_new_schema(metadata: dict[str, Any], script_text: str) -> tuple[dict[str, Any], str | None]:
    """Metadata with the schema re-inferred; the warning when main() cannot be parsed."""
    from wac.parser import SourceSyntaxError, default_schema, infer_schema, parse_signature

    updated = dict(metadata)
    warning = None
    try:
        signature = parse_signature(script_text)
        current = updated.get("schema") if isinstance(updated.get("schema"), dict) else None
        updated["schema"] = infer_schema(signature, current)
        has_preprocessor = signature.has_preprocessor
    except SourceSyntaxError as exc:
        warning = f"invalid Python, schema reset to the default: {exc}"
        updated["schema"] = default_schema()
        has_preprocessor = False
    if has_preprocessor:
        updated["has_preprocessor"] = True
    else:
        updated.pop("has_preprocessor", None)
    updated.pop("auto_kind", None)
    updated.pop("no_main_func", None)
    return updated, warning
