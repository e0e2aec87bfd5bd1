"""Classes a `main` signature can refer to: string enums and data models."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ._syntax import dotted_name, string_value

ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
MODEL_BASES = frozenset({"BaseModel", "pydantic.BaseModel"})
DATACLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass"})
MAX_MODEL_FIELDS = 200


@dataclass
class ClassIndex:
    """Enums (member -> string value) and models (field annotations) of a file."""

    enums: dict[str, dict[str, str]] = field(default_factory=dict)
    models: dict[str, list[tuple[str, cst.BaseExpression]]] = field(default_factory=dict)


def index_classes(module: cst.Module) -> ClassIndex:
    """Collect top-level enum and model classes, first definition wins."""
    index = ClassIndex()
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef):
            continue
        name = stmt.name.value
        if name in index.enums or name in index.models:
            continue
        bases = {dotted_name(arg.value) for arg in stmt.bases}
        if bases & ENUM_BASES:
            members = _string_members(stmt)
            if members:
                index.enums[name] = members
        elif bases & MODEL_BASES or _is_dataclass(stmt):
            index.models[name] = _annotated_fields(stmt)
    return index


def _is_dataclass(cls: cst.ClassDef) -> bool:
    for decorator in cls.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if dotted_name(target) in DATACLASS_DECORATORS:
            return True
    return False


def _body_statements(cls: cst.ClassDef) -> list[cst.BaseSmallStatement]:
    if not isinstance(cls.body, cst.IndentedBlock):
        return list(cls.body.body)
    out: list[cst.BaseSmallStatement] = []
    for stmt in cls.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
    return out


def _string_members(cls: cst.ClassDef) -> dict[str, str]:
    members: dict[str, str] = {}
    for small in _body_statements(cls):
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            value = string_value(small.value)
            if isinstance(target, cst.Name) and value is not None:
                members[target.value] = value
    return members


def _annotated_fields(cls: cst.ClassDef) -> list[tuple[str, cst.BaseExpression]]:
    fields: list[tuple[str, cst.BaseExpression]] = []
    for small in _body_statements(cls):
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            fields.append((small.target.value, small.annotation.annotation))
    return fields[:MAX_MODEL_FIELDS]
