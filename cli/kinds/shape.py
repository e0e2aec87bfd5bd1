"""A small structural validator for item files, with the findings `wmill lint` prints.

Shapes are declared with the classes below (objects with required and typed fields, enums,
arrays, values tagged by a `type` field). Findings read as wmill's do (its JSON-schema
validator's wording): `/value missing required property 'modules'`, `/http_method must be one
of: 'get', 'post'`, `/value/modules/0/value value of tag "type" must be in oneOf`. Unknown
keys are never findings, as in wmill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


class Shape:
    nullable: bool = False

    def check(self, value: Any, at: str) -> Iterator[str]:
        raise NotImplementedError


def _where(at: str) -> str:
    return at or "/"


@dataclass
class Scalar(Shape):
    kind: str  # string, boolean, number, integer
    enum: tuple[Any, ...] = ()
    nullable: bool = False

    def check(self, value: Any, at: str) -> Iterator[str]:
        if value is None and self.nullable:
            return
        if not _is(self.kind, value):
            yield f"{_where(at)} must be {self.kind}"
        elif self.enum and value not in self.enum:
            yield f"{_where(at)} must be one of: " + ", ".join(f"'{v}'" for v in self.enum if v is not None)


@dataclass
class Anything(Shape):
    def check(self, value: Any, at: str) -> Iterator[str]:
        return iter(())


@dataclass
class Array(Shape):
    items: Shape | Callable[[], Shape] = field(default_factory=Anything)
    nullable: bool = False

    def check(self, value: Any, at: str) -> Iterator[str]:
        if value is None and self.nullable:
            return
        if not isinstance(value, list):
            yield f"{_where(at)} must be array"
            return
        items = _resolve(self.items)
        for index, entry in enumerate(value):
            yield from items.check(entry, f"{at}/{index}")


@dataclass
class Obj(Shape):
    required: tuple[str, ...] = ()
    fields: dict[str, Shape | Callable[[], Shape]] = field(default_factory=dict)
    each: Shape | Callable[[], Shape] | None = None  # the shape of every value (a map)
    nullable: bool = False

    def check(self, value: Any, at: str) -> Iterator[str]:
        if value is None and self.nullable:
            return
        if not isinstance(value, dict):
            yield f"{_where(at)} must be object"
            return
        for name in self.required:
            if name not in value:
                yield f"{_where(at)} missing required property '{name}'"
        for name, shape in self.fields.items():
            if name in value:
                yield from _resolve(shape).check(value[name], f"{at}/{name}")
        if self.each is not None:
            each = _resolve(self.each)
            for name, entry in value.items():
                yield from each.check(entry, f"{at}/{name}")


@dataclass
class Tagged(Shape):
    """An object whose `type` field says which shape it has."""

    variants: dict[str, Shape | Callable[[], Shape]]
    tag: str = "type"

    def check(self, value: Any, at: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{_where(at)} must be object"
            return
        kind = value.get(self.tag)
        if not isinstance(kind, str):
            yield f'{_where(at)} tag "{self.tag}" must be string'
        elif kind not in self.variants:
            yield f'{_where(at)} value of tag "{self.tag}" must be in oneOf'
        else:
            yield from _resolve(self.variants[kind]).check(value, at)


def _resolve(shape: Shape | Callable[[], Shape]) -> Shape:
    return shape if isinstance(shape, Shape) else shape()


def _is(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def findings(shape: Shape, value: Any) -> list[str]:
    """Every finding for `value`, in wmill's order (required fields, then fields in declared order)."""
    return list(shape.check(value, ""))


STRING = Scalar("string")
OPT_STRING = Scalar("string", nullable=True)
BOOLEAN = Scalar("boolean")
NUMBER = Scalar("number")
INTEGER = Scalar("integer")
