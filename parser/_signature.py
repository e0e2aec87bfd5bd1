"""`main()` signature -> Windmill argument list (the `parse_python` output)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from . import _typ as t
from ._annotations import AnnotationReader
from ._classes import index_classes
from ._defaults import NO_DEFAULT, default_value
from ._outline import signature_source
from ._syntax import dotted_name, parse_module

_DOC_ARG = re.compile(r"^\s+(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*\S)\s*$")


@dataclass
class Arg:
    """One argument of `main`: name, type, default and whether it has one."""

    name: str
    typ: t.Typ
    default: Any = None
    has_default: bool = False
    otyp: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "otyp": self.otyp,
            "typ": self.typ,
            "default": self.default,
            "has_default": self.has_default,
        }


@dataclass
class MainSignature:
    """What Windmill's parser reports about a script's entry point."""

    args: list[Arg] = field(default_factory=list)
    star_args: bool = False
    star_kwargs: bool = False
    has_preprocessor: bool = False
    no_main_func: bool = False
    auto_kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "star_args": self.star_args,
            "star_kwargs": self.star_kwargs,
            "args": [a.to_json() for a in self.args],
            "auto_kind": self.auto_kind,
            "has_preprocessor": self.has_preprocessor,
        }


def parse_signature(code: str) -> MainSignature:
    """Read `main`'s signature from a script; raises `SourceSyntaxError`."""
    return signature_of_module(parse_module(signature_source(code)))


def signature_of_module(module: cst.Module) -> MainSignature:
    """Same as `parse_signature` for an already parsed module."""
    functions = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            functions.setdefault(stmt.name.value, stmt)
    main = functions.get("main")
    has_preprocessor = "preprocessor" in functions
    if main is None:
        return MainSignature(has_preprocessor=has_preprocessor, no_main_func=True, auto_kind="lib")
    classes = index_classes(module)
    reader = AnnotationReader(classes)
    docs = _docstring_args(main)
    params = main.params
    return MainSignature(
        args=[_read_arg(p, reader, classes.enums, docs) for p in params.params],
        star_args=isinstance(params.star_arg, cst.Param),
        star_kwargs=params.star_kwarg is not None,
        has_preprocessor=has_preprocessor,
        auto_kind="wac" if _is_workflow(main) else None,
    )


def _read_arg(
    param: cst.Param,
    reader: AnnotationReader,
    enums: dict[str, dict[str, str]],
    docs: dict[str, str],
) -> Arg:
    default = NO_DEFAULT if param.default is None else default_value(param.default, enums)
    has_value = default is not NO_DEFAULT
    if param.annotation is None:
        typ, optional = t.UNKNOWN, False
    else:
        annotated = reader.read(param.annotation.annotation)
        typ, optional = annotated.typ, annotated.optional
    if typ == t.BARE_LIST:
        typ = t.typ_of_json(default) if has_value else t.list_of(dict(t.STR))
    elif typ == t.UNKNOWN and has_value:
        typ = t.typ_of_json(default)
    return Arg(
        name=param.name.value,
        typ=typ,
        default=default if has_value else None,
        has_default=has_value or optional,
        otyp=docs.get(param.name.value),
    )


def _is_workflow(func: cst.FunctionDef) -> bool:
    for decorator in func.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        # Windmill matches the bare name only: `@wmill.workflow` is not WAC to it.
        if dotted_name(target) == "workflow":
            return True
    return False


def _docstring_args(func: cst.FunctionDef) -> dict[str, str]:
    """Google-style `Args:` descriptions from main's docstring."""
    doc = func.get_docstring(clean=False)
    if not doc or "Args:" not in doc:
        return {}
    out: dict[str, str] = {}
    for line in doc.split("Args:", 1)[1].splitlines()[1:]:
        if not line.strip():
            continue
        match = _DOC_ARG.match(line)
        if match is None:
            break
        out[match.group(1)] = match.group(2)
    return out
