"""WAC102: SDK names imported under another name or used as attributes."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._lint import Example, LintContext, Report, Rule
from .._syntax import dotted_name

SDK_NAMES = frozenset({
    "workflow", "task", "task_script", "task_flow", "step", "sleep", "wait_for_approval",
    "get_resume_urls", "parallel",
})


class AliasedSdkName(Rule):
    """Windmill recognises WAC primitives by their literal names.

    `from wmill import task as t` or `@wmill.task` run, but the server's WAC
    parser does not see them: the script is not detected as a workflow, or
    its graph and timeline miss steps.
    """

    CODE = "WAC102"
    NAME = "aliased-sdk-name"
    MESSAGE = "WAC primitive used under another name"
    HINT = "import it by its own name: `from wmill import task, workflow, ...`"
    VALID = [Example("from wmill import task, workflow\n\n@workflow\nasync def main():\n    return 1\n")]
    INVALID = [
        Example("from wmill import task as t, workflow\n", line=1),
        Example("import wmill\n\n@wmill.workflow\nasync def main():\n    return 1\n", line=3),
        Example("import wmill\nfrom wmill import workflow\n\n@workflow\nasync def main():\n"
                "    return await wmill.step('x', lambda: 1)\n", line=6),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for stmt in ctx.source.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and _is_sdk_module(small.module):
                    yield from self._aliases(small)
        for node in ctx.source.all_nodes:
            if (isinstance(node, cst.Attribute) and node.attr.value in SDK_NAMES
                    and dotted_name(node.value) == "wmill"):
                yield self.report(node, f"`{dotted_name(node)}` is not recognised as a WAC primitive")

    def _aliases(self, node: cst.ImportFrom) -> Iterator[Report]:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name in SDK_NAMES and alias.asname is not None and alias.evaluated_alias != name:
                yield self.report(alias, f"`{name}` is imported as `{alias.evaluated_alias}`")


def _is_sdk_module(module: cst.BaseExpression | None) -> bool:
    return module is not None and dotted_name(module) in ("wmill", "wmill.client")

