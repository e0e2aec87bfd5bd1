"""WAC113: `asyncio.gather(..., return_exceptions=True)` around durable calls."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._graph import Group, Node
from .._lint import Example, LintContext, Report, Rule


class GatherReturnExceptions(Rule):
    """A task call suspends the round by raising a `BaseException`. With
    `return_exceptions=True`, `gather` collects that signal as a result
    instead: no task is ever dispatched, and the workflow goes on (and
    completes) with suspension objects where the task results should be.
    """

    CODE = "WAC113"
    NAME = "gather-return-exceptions"
    MESSAGE = "`gather(..., return_exceptions=True)` swallows the workflow's suspension"
    HINT = ("drop return_exceptions; to tolerate failures, await each task in a small async function "
            "that catches TaskError")
    VALID = [
        Example("import asyncio\nfrom wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                "@workflow\nasync def main():\n    return await asyncio.gather(a(), a())\n"),
        Example("import asyncio\nfrom wmill import workflow\n\nasync def ping():\n    return 1\n\n"
                "@workflow\nasync def main():\n    return await asyncio.gather(ping(), return_exceptions=True)\n"),
    ]
    INVALID = [
        Example("import asyncio\nfrom wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                "@workflow\nasync def main():\n"
                "    return await asyncio.gather(a(), a(), return_exceptions=True)\n", line=10),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for group in _groups(ctx.graph.body):
            if group.kind == "gather" and group.calls and _returns_exceptions(group.node):
                yield self.report(group.node)


def _groups(nodes: list[Node]) -> Iterator[Group]:
    for node in nodes:
        if isinstance(node, Group):
            yield node
        elif not hasattr(node, "calls"):
            yield from _groups(getattr(node, "children", []))


def _returns_exceptions(call: cst.Call) -> bool:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "return_exceptions":
            return not (isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None"))
    return False
