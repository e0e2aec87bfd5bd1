"""Type annotation -> Windmill `Typ`, following the Windmill Python parser."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from . import _typ as t
from ._classes import ClassIndex
from ._syntax import dotted_name, string_value

_SCALARS: dict[str, t.Typ] = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "bytes": "bytes",
    "datetime": "datetime",
    "datetime.datetime": "datetime",
    "date": "date",
    "datetime.date": "date",
    "Sql": "sql",
    "sql": "sql",
}
_LIST_NAMES = frozenset({"list", "List"})
_MAX_MODEL_DEPTH = 8


@dataclass(frozen=True)
class Annotated:
    """The type of an annotation, and whether it makes the argument optional."""

    typ: t.Typ
    optional: bool = False


class AnnotationReader:
    """Reads annotations against the classes defined in the same file."""

    def __init__(self, classes: ClassIndex) -> None:
        self._classes = classes

    def read(self, node: cst.BaseExpression, *, in_model: int = 0) -> Annotated:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            if _is_none(node.right):
                return Annotated(self.read(node.left, in_model=in_model).typ, optional=True)
            return Annotated(t.UNKNOWN)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, in_model)
        name = dotted_name(node)
        if name is None:
            return Annotated(t.UNKNOWN)
        return Annotated(self._named(name, in_model))

    def _named(self, name: str, in_model: int) -> t.Typ:
        if name.startswith("wmill.") and name.count(".") == 1:
            name = name.split(".", 1)[1]
        if name in _SCALARS:
            return _SCALARS[name]
        if "." in name or name == "None":
            return t.UNKNOWN
        if name == "str":
            return dict(t.STR)
        if name == "dict":
            return t.obj(None, [])
        if name == "list":
            return dict(t.BARE_LIST)
        if name == "S3Object":
            return t.resource("s3_object")
        for prefix, kind in (("DynSelect_", "dynselect"), ("DynMultiselect_", "dynmultiselect")):
            if name.startswith(prefix):
                return {kind: name[len(prefix) :]}
        if name in self._classes.enums:
            return t.str_enum(list(self._classes.enums[name].values()))
        if name in self._classes.models and in_model < _MAX_MODEL_DEPTH:
            props = [
                {"key": key, "typ": self.read(ann, in_model=in_model + 1).typ}
                for key, ann in self._classes.models[name]
            ]
            return t.obj(name, props)
        return t.resource(name)

    def _subscript(self, node: cst.Subscript, in_model: int) -> Annotated:
        head = node.value.value if isinstance(node.value, cst.Name) else None
        slices = [s.slice.value for s in node.slice if isinstance(s.slice, cst.Index)]
        if head in _LIST_NAMES and len(slices) == 1:
            item = self.read(slices[0], in_model=in_model).typ
            return Annotated(t.UNKNOWN if item == t.UNKNOWN else t.list_of(item))
        if head == "Optional" and len(slices) == 1:
            return Annotated(self.read(slices[0], in_model=in_model).typ, optional=True)
        if head == "Literal" and not in_model:
            if len(slices) < 2:
                return Annotated(dict(t.STR))
            values = [v for v in (string_value(s) for s in slices) if v is not None]
            return Annotated(t.str_enum(values))
        return Annotated(t.UNKNOWN)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
