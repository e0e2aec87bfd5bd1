"""A parsed script with lazily computed positions and its import aliases."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import cached_property

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ._syntax import dotted_name, parse_module
from ._walk import walk


_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Position:
    """1-based line and column of a node's start."""

    line: int
    column: int


class Source:
    """One script: its CST, positions on demand, and qualified-name lookup.

    Positions are the expensive part of libcst metadata, so they are only
    computed when something asks for one (a finding, a graph position).
    """

    def __init__(self, code: str, path: str = "<string>") -> None:
        self.code = code
        self.path = path
        self.module: cst.Module = parse_module(code)

    @cached_property
    def _ranges(self) -> dict[cst.CSTNode, CodeRange]:
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))

    @cached_property
    def all_nodes(self) -> list[cst.CSTNode]:
        """Every node of the module in walk order, computed once."""
        return list(walk(self.module))

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def position(self, node: cst.CSTNode) -> Position:
        start = self._ranges[node].start
        return Position(start.line, start.column + 1)

    @cached_property
    def imported_names(self) -> dict[str, str]:
        """Local name -> fully qualified name, for every top-level import."""
        names: dict[str, str] = {}
        for stmt in self.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        full = dotted_name(alias.name) or ""
                        local = alias.evaluated_alias or full.split(".", 1)[0]
                        names[local] = full if alias.asname else local
                elif isinstance(small, cst.ImportFrom) and not small.relative:
                    module = dotted_name(small.module) if small.module else ""
                    if isinstance(small.names, cst.ImportStar):
                        continue
                    for alias in small.names:
                        name = dotted_name(alias.name) or ""
                        names[alias.evaluated_alias or name] = f"{module}.{name}"
        return names

    def qualified(self, node: cst.BaseExpression) -> str | None:
        """`dt.now` -> `datetime.datetime.now` when `dt` was imported as such.

        A name that no import binds (a parameter, a local) resolves to None,
        except builtins such as `open`, which resolve to themselves.
        """
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        full = self.imported_names.get(head)
        if full is None:
            return name if not rest and name in _BUILTINS else None
        return f"{full}.{rest}" if rest else full
