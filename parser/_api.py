"""The library entry point for linting one script with the standard rules."""

from __future__ import annotations

from typing import Iterable

from ._findings import Finding
from ._lint import Rule
from ._lint import lint_source as _lint_with
from .rules import ALL_RULES


def lint_source(
    code: str,
    path: str = "<string>",
    *,
    module_files: frozenset[str] | None = None,
    repo_flows: frozenset[str] | None = None,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Lint one script with every rule (or `rules`); see `Finding`. `module_files`: its `__mod` folder's files,
    `repo_flows`: the Windmill paths of its repo's flows (None: not known, not checked)."""
    active = list(rules) if rules is not None else [rule() for rule in ALL_RULES]
    return _lint_with(code, path, rules=active, module_files=module_files, repo_flows=repo_flows)
