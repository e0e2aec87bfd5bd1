"""WAC107: WAC primitives used in a file without a `@workflow`."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._lint import Example, LintContext, Report, Rule
from .._syntax import dotted_name

_NEEDS_WORKFLOW = frozenset({"step", "sleep", "wait_for_approval", "parallel"})


class MissingWorkflow(Rule):
    """Tasks, steps, sleeps and approvals only suspend and checkpoint inside a
    `@workflow` function. Without one the script runs as a plain script:
    tasks run inline, `wait_for_approval` fails and `main` returns a coroutine.
    """

    CODE = "WAC107"
    NAME = "missing-workflow"
    MESSAGE = "WAC primitives are used but no top-level @workflow function exists"
    HINT = "decorate the entry point: `@workflow` above `async def main(...)`"
    VALID = [
        Example("from wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                "@workflow\nasync def main():\n    return await a()\n"),
        Example("def main(x: int):\n    return x\n"),
    ]
    INVALID = [
        Example("from wmill import task\n\n@task\nasync def a():\n    return 1\n\n"
                "async def main():\n    return await a()\n", line=3),
        Example("from wmill import step\n\nasync def main():\n    return await step('x', lambda: 1)\n",
                line=4),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        if ctx.graph.workflow is not None:
            return
        first = _first_use(ctx)
        if first is not None:
            yield self.report(first)


def _first_use(ctx: LintContext) -> cst.CSTNode | None:
    if ctx.graph.tasks:
        return next(iter(ctx.graph.tasks.values())).decorator
    if ctx.graph.references:
        return next(iter(ctx.graph.references.values())).call
    for node in ctx.source.all_nodes:
        if isinstance(node, cst.Call) and dotted_name(node.func) in _NEEDS_WORKFLOW:
            return node
    return None

