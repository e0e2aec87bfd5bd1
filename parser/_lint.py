"""The lint engine: run every rule over a script and collect findings."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, Iterable, Iterator, Union

import libcst as cst

from ._findings import ERROR, Finding
from ._graph import WacGraph, build_graph
from ._source import Source
from ._syntax_error import SourceSyntaxError
from ._walk import replayed_nodes

_IGNORE = re.compile(r"#\s*wac:\s*ignore(?:\[([A-Z0-9, ]+)\])?")

@dataclass(frozen=True)
class Example:
    """A snippet for a rule's own tests: `line` pins where an invalid one reports."""

    code: str
    line: int | None = None
    modules: frozenset[str] = field(default_factory=lambda: frozenset({"helper.py"}))
    flows: frozenset[str] = field(default_factory=lambda: frozenset({"f/etl/daily"}))


Report = tuple[cst.CSTNode, Union[str, None], Union[str, None]]


@dataclass
class LintContext:
    """What a rule can look at: the source, its WAC graph, and module files."""

    source: Source
    graph: WacGraph
    module_files: frozenset[str] | None = None
    repo_flows: frozenset[str] | None = None  # the Windmill paths of the repo's flows (None: not known)

    @cached_property
    def replayed_nodes(self) -> list[cst.CSTNode]:
        """Nodes the workflow body re-runs on each replay (empty without a workflow)."""
        return [] if self.graph.workflow is None else replayed_nodes(self.graph.workflow)


class Rule(ABC):
    """A lint rule: subclasses set the class data and implement `check`."""

    CODE: ClassVar[str]
    NAME: ClassVar[str]
    SEVERITY: ClassVar[str] = ERROR
    MESSAGE: ClassVar[str]
    HINT: ClassVar[str]
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    @abstractmethod
    def check(self, ctx: LintContext) -> Iterator[Report]:
        """Yield `(node, message or None, hint or None)` for each problem."""

    @classmethod
    def report(cls, node: cst.CSTNode, message: str | None = None, hint: str | None = None) -> Report:
        return node, message, hint


def lint_source(
    code: str,
    path: str = "<string>",
    *,
    rules: Iterable[Rule],
    module_files: frozenset[str] | None = None,
    repo_flows: frozenset[str] | None = None,
) -> list[Finding]:
    """Findings for one script, sorted by position; a syntax error is a finding."""
    try:
        source = Source(code, path)
    except SourceSyntaxError as exc:
        return [
            Finding(path, exc.line, exc.column, "WAC001", "syntax-error", ERROR,
                    f"syntax error: {exc.message}", "fix the syntax; nothing else was checked")
        ]
    ctx = LintContext(source, build_graph(source), module_files, repo_flows)
    findings = []
    lines = code.splitlines()
    for rule in rules:
        for node, message, hint in rule.check(ctx):
            pos = source.position(node)
            if _ignored(lines, pos.line, rule.CODE):
                continue
            findings.append(
                Finding(path, pos.line, pos.column, rule.CODE, rule.NAME, rule.SEVERITY,
                        message or rule.MESSAGE, hint or rule.HINT)
            )
    return sorted(set(findings), key=lambda f: (f.line, f.column, f.code))


def _ignored(lines: list[str], line: int, code: str) -> bool:
    """`# wac: ignore` or `# wac: ignore[WAC101]` on the reported line."""
    if line > len(lines):
        return False
    match = _IGNORE.search(lines[line - 1])
    if match is None:
        return False
    return match.group(1) is None or code in {c.strip() for c in match.group(1).split(",")}
