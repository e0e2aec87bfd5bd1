"""WAC109: a durable call used as a bare statement, never awaited."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._lint import Example, LintContext, Report, Rule


class UnawaitedCall(Rule):
    """Calling a task (or step, sleep, approval) returns an awaitable. As a
    bare statement its result is lost: tasks are still dispatched when the
    body ends, but a step, sleep or approval does nothing at all.
    """

    CODE = "WAC109"
    NAME = "unawaited-call"
    MESSAGE = "durable call is not awaited"
    HINT = "await it, or pass it to `asyncio.gather(...)`"
    VALID = [Example("from wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                     "@workflow\nasync def main():\n    x = await a()\n    return x\n")]
    INVALID = [
        Example("from wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                "@workflow\nasync def main():\n    a()\n    return 0\n", line=9),
        Example("from wmill import sleep, workflow\n\n@workflow\nasync def main():\n"
                "    sleep(5)\n", line=5),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        statements = {
            id(node.value) for node in ctx.replayed_nodes
            if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call)
        }
        for call in ctx.graph.calls():
            if not call.awaited and id(call.node) in statements:
                name = call.name or call.kind
                yield self.report(call.node, f"`{name}` is called but not awaited")

