"""Static analysis of Windmill scripts: pure functions, source string in, data out.

No file system, no network, no printing: the CLI supplies text and paths.
"""

from __future__ import annotations

from typing import Iterable

from ._graph import Block, Group, ScriptRef, TaskDef, WacCall, WacGraph, build_graph
from ._lint import ERROR, WARNING, Example, Finding, LintContext, Rule
from ._lint import lint_source as _lint_source
from ._requirements import Requirements, infer_requirements, package_name, workspace_imports
from ._schema import default_schema, infer_schema
from ._signature import Arg, MainSignature, parse_signature, signature_of_module
from ._source import Position, Source
from ._syntax import SourceSyntaxError
from .rules import ALL_RULES

RULES_VERSION = "1"


def lint_source(
    code: str,
    path: str = "<string>",
    *,
    module_files: frozenset[str] | None = None,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Lint one script with every rule (or `rules`); see `Finding`."""
    active = list(rules) if rules is not None else [rule() for rule in ALL_RULES]
    return _lint_source(code, path, rules=active, module_files=module_files)


__all__ = [
    "ALL_RULES", "ERROR", "RULES_VERSION", "WARNING", "Arg", "Block", "Example", "Finding",
    "Group", "LintContext", "MainSignature", "Position", "Requirements", "Rule", "ScriptRef",
    "Source", "SourceSyntaxError", "TaskDef", "WacCall", "WacGraph", "build_graph",
    "default_schema", "infer_requirements", "infer_schema", "lint_source", "package_name",
    "parse_signature", "signature_of_module", "workspace_imports",
]
