"""Windmill's argument type (`Typ`) in its JSON form, as the parser emits it.

Scalars are strings ("int", "float", "bool", "bytes", "datetime", "date",
"sql", "unknown"); the rest are one-key dicts: {"str": enum|None},
{"list": Typ}, {"object": {"name", "props"}}, {"resource": name},
{"dynselect": name}, {"dynmultiselect": name}.
"""

from __future__ import annotations

from typing import Any, Union

Typ = Union[str, dict]

UNKNOWN = "unknown"
STR: Typ = {"str": None}
# `list` without an element type; resolved later from the default, as Windmill does.
BARE_LIST: Typ = {"list": UNKNOWN}


def str_enum(values: list[str] | None) -> Typ:
    return {"str": values or None}


def list_of(item: Typ) -> Typ:
    return {"list": item}


def resource(name: str) -> Typ:
    return {"resource": name}


def obj(name: str | None, props: list[dict[str, Any]]) -> Typ:
    return {"object": {"name": name, "props": props}}


def typ_of_json(value: Any) -> Typ:
    """Type of a JSON default, for untyped parameters (`json_to_typ`)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return dict(STR)
    if isinstance(value, list):
        item = typ_of_json(value[0]) if value else UNKNOWN
        return list_of(dict(STR) if item == UNKNOWN else item)
    if isinstance(value, dict):
        return obj(None, [{"key": k, "typ": typ_of_json(v)} for k, v in value.items()])
    return UNKNOWN
