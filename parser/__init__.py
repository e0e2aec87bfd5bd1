"""Static analysis of Windmill scripts: pure functions, source string in, data out.

No file system, no network, no printing: the CLI supplies text and paths.
Names are loaded on first use (PEP 562), so `from wac.parser import Finding`
does not pay for importing libcst.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ALL_RULES": "rules",
    "ERROR": "_findings", "WARNING": "_findings", "RULES_VERSION": "_findings", "Finding": "_findings",
    "Block": "_graph", "Group": "_graph", "ScriptRef": "_graph", "TaskDef": "_graph",
    "WacCall": "_graph", "WacGraph": "_graph", "build_graph": "_graph",
    "Example": "_lint", "LintContext": "_lint", "Rule": "_lint", "lint_source": "_api",
    "Requirements": "_requirements", "infer_requirements": "_requirements",
    "package_name": "_requirements", "workspace_imports": "_imports", "may_import_workspace": "_imports",
    "Outline": "_outline", "outline": "_outline",
    "default_schema": "_default_schema", "infer_schema": "_schema",
    "Arg": "_signature", "MainSignature": "_signature", "parse_signature": "_signature",
    "signature_of_module": "_signature",
    "Position": "_source", "Source": "_source", "SourceSyntaxError": "_syntax_error",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from ._api import lint_source
    from ._findings import ERROR, RULES_VERSION, WARNING, Finding
    from ._graph import Block, Group, ScriptRef, TaskDef, WacCall, WacGraph, build_graph
    from ._lint import Example, LintContext, Rule
    from ._imports import may_import_workspace, workspace_imports
    from ._outline import Outline, outline
    from ._requirements import Requirements, infer_requirements, package_name
    from ._default_schema import default_schema
    from ._schema import infer_schema
    from ._signature import Arg, MainSignature, parse_signature, signature_of_module
    from ._source import Position, Source
    from ._syntax_error import SourceSyntaxError
    from .rules import ALL_RULES


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wac.parser' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
