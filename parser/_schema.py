"""Argument list -> the `schema` of a `.script.yaml`, as the wmill CLI builds it.

A port of the CLI's `inferSchema` and `argSigToJsonSchemaType`: a fresh
schema for new arguments, and for existing ones the property the user edited
updated in place so hand-set fields (description, pattern, min, ...) survive.
"""

from __future__ import annotations

import copy
from typing import Any

from . import _typ as t
from ._signature import MainSignature
_PRESERVED_FIELDS = (
    "description", "pattern", "min", "max", "currency", "currencyLocale", "multiselect",
    "customErrorMessage", "required", "showExpr", "password", "order", "dateFormat",
    "title", "placeholder",
)
_ITEMS_PRESERVED_FIELDS = (
    "properties", "required", "additionalProperties", "enum", "resourceType",
    "contentEncoding", "description",
)
# JavaScript `undefined`: assigning it removes the key from the target.
_UNDEFINED: Any = object()


def infer_schema(signature: MainSignature, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Schema for `signature`, reusing what `current` holds for known arguments."""
    schema = copy.deepcopy(current) if current else {}
    old_properties = schema.get("properties") or {}
    schema["required"] = []
    properties: dict[str, Any] = {}
    schema["properties"] = properties
    for arg in signature.args:
        old = old_properties.get(arg.name)
        prop = dict(old) if isinstance(old, dict) else {"description": "", "type": ""}
        prop = {key: prop[key] for key in sorted(prop)}
        apply_typ(arg.typ, prop)
        if arg.otyp and "[" in arg.otyp and "|" in arg.otyp:
            prop["originalType"] = arg.otyp
        prop["default"] = arg.default
        properties[arg.name] = prop
        if not arg.has_default and arg.name not in schema["required"]:
            schema["required"].append(arg.name)
    return schema


def apply_typ(typ: t.Typ, old: dict[str, Any]) -> None:
    """Update the property `old` in place for `typ` (`argSigToJsonSchemaType`)."""
    new = _fresh_property(typ, old)
    for field in _PRESERVED_FIELDS:
        if old.get(field, _UNDEFINED) is not _UNDEFINED:
            new[field] = old[field]
    _reconcile_formats(old, new)
    for key, value in new.items():
        if value is _UNDEFINED:
            old.pop(key, None)
        else:
            old[key] = value


def _reconcile_formats(old: dict[str, Any], new: dict[str, Any]) -> None:
    old_format, new_format = old.get("format"), new.get("format", _UNDEFINED)
    old_items = old.get("items") if isinstance(old.get("items"), dict) else {}
    new_items = new.get("items") if isinstance(new.get("items"), dict) else {}
    if old.get("type") != new.get("type"):
        for key in list(new):
            if key != "description":
                old.pop(key, None)
    elif old_format in ("date", "date-time") and new_format == "string":
        new["format"] = old_format
    elif new_format == "date-time" and old_format == "date":
        new["format"] = "date"
    elif new_format in ("date", "date-time"):
        new["format"] = old.get("format", _UNDEFINED)
    elif old_items.get("type") != new_items.get("type"):
        old.pop("items", None)
    elif old.get("type") == "string" and old_format is not None:
        new["format"] = old_format
    if (old.get("type") != new.get("type") or new.get("type") != "string") and new.get(
        "format", _UNDEFINED
    ) is _UNDEFINED:
        old.pop("format", None)


def _fresh_property(typ: t.Typ, old: dict[str, Any]) -> dict[str, Any]:
    if isinstance(typ, str):
        if typ in _SCALAR_PROPERTIES:
            return dict(_SCALAR_PROPERTIES[typ])
        return {"type": "object" if old.get("type") is None else old["type"]}
    kind, value = next(iter(typ.items()))
    if kind == "object":
        return _object_property(value, old)
    if kind == "str":
        if value:
            return {"type": "string", "originalType": "enum", "enum": value}
        if old.get("originalType") == "string" and old.get("enum"):
            return {"type": "string", "originalType": "string", "enum": old["enum"]}
        return {"type": "string", "originalType": "string", "enum": _UNDEFINED}
    if kind == "resource":
        return {"type": "object", "format": f"resource-{value}"}
    if kind in ("dynselect", "dynmultiselect"):
        return {"type": "object", "format": f"{kind}-{value}"}
    return _list_property(value, old)


_SCALAR_PROPERTIES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "sql": {"type": "string", "format": "sql"},
    "bytes": {"type": "string", "contentEncoding": "base64", "originalType": "bytes"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}


def _object_property(spec: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {"type": "object"}
    if spec.get("name"):
        new["format"] = f"resource-{spec['name']}"
    old_props = old.get("properties") if isinstance(old.get("properties"), dict) else None
    properties: dict[str, Any] = {}
    for prop in spec.get("props") or []:
        key = prop["key"]
        if old_props is not None and key in old_props:
            properties[key] = old_props[key]
        else:
            properties[key] = {"description": "", "type": ""}
        apply_typ(prop["typ"], properties[key])
    new["properties"] = properties
    return new


def _list_property(item: t.Typ, old: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {"type": "array"}
    old_items = old.get("items") if isinstance(old.get("items"), dict) else None
    kind, value = next(iter(item.items())) if isinstance(item, dict) else (item, None)
    if item in ("int", "float"):
        new["items"], new["originalType"] = {"type": "number"}, "number[]"
    elif item == "bytes":
        new["items"] = {"type": "string", "contentEncoding": "base64"}
        new["originalType"] = "bytes[]"
    elif kind == "str" and value:
        new["items"], new["originalType"] = {"type": "string", "enum": value}, "enum[]"
    elif kind == "str":
        items: dict[str, Any] = {"type": "string"}
        if old_items is not None and old_items.get("enum", _UNDEFINED) is not _UNDEFINED:
            items["enum"] = old_items["enum"]
        new["items"], new["originalType"] = items, "string[]"
    elif kind == "resource" and value:
        new["items"] = {"type": "resource", "resourceType": value}
        new["originalType"] = "resource[]"
    elif kind == "object" and value:
        if value.get("name"):
            new["format"] = f"resource-{value['name']}"
        if value.get("props"):
            properties: dict[str, Any] = {}
            for prop in value["props"]:
                properties[prop["key"]] = {"description": "", "type": ""}
                apply_typ(prop["typ"], properties[prop["key"]])
            new["items"] = {"type": "object", "properties": properties}
        else:
            new["items"] = _kept_items(old_items)
        new["originalType"] = "record[]"
    else:
        new["items"] = _kept_items(old_items)
        new["originalType"] = "object[]"
    return new


def _kept_items(old_items: dict[str, Any] | None) -> dict[str, Any]:
    items: dict[str, Any] = {"type": (old_items or {}).get("type") or "object"}
    for field in _ITEMS_PRESERVED_FIELDS:
        if old_items is not None and old_items.get(field, _UNDEFINED) is not _UNDEFINED:
            items[field] = old_items[field]
    return items
