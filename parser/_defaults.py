"""Parameter defaults as the Windmill Python parser reads them (`to_value`)."""

from __future__ import annotations

import ast
from typing import Any

import libcst as cst

from ._syntax import string_value

FUNCTION_CALL = "<function call>"

# Sentinel for "no usable default": unary minus, tuples, names, sets...
NO_DEFAULT: Any = object()


def default_value(node: cst.BaseExpression, enum_values: dict[str, dict[str, str]]) -> Any:
    """JSON value of a default expression, or NO_DEFAULT.

    `enum_values` maps enum class name -> member name -> string value, so that
    `Color.RED` becomes `"red"` as in Windmill.
    """
    if isinstance(node, cst.Integer):
        return ast.literal_eval(node.value)
    if isinstance(node, cst.Float):
        return float(ast.literal_eval(node.value))
    if isinstance(node, cst.Imaginary):
        value = complex(ast.literal_eval(node.value))
        return [value.real, value.imag]
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return list(value)
        return value if isinstance(value, str) else NO_DEFAULT
    if isinstance(node, cst.Name):
        return {"None": None, "True": True, "False": False}.get(node.value, NO_DEFAULT)
    if isinstance(node, cst.Ellipsis):
        return "..."
    if isinstance(node, cst.Dict):
        return _dict_value(node, enum_values)
    if isinstance(node, cst.List):
        return [_element_value(e.value, enum_values) for e in node.elements]
    if isinstance(node, cst.Call):
        return FUNCTION_CALL
    if isinstance(node, cst.Attribute):
        owner = node.value.value if isinstance(node.value, cst.Name) else None
        member = node.attr.value
        return enum_values.get(owner or "", {}).get(member, member)
    return NO_DEFAULT


def _element_value(node: cst.BaseExpression, enum_values: dict[str, dict[str, str]]) -> Any:
    value = default_value(node, enum_values)
    return None if value is NO_DEFAULT else value


def _dict_value(node: cst.Dict, enum_values: dict[str, dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            continue
        key = string_value(element.key)
        out[key if key is not None else "no_key"] = _element_value(element.value, enum_values)
    return dict(sorted(out.items()))
