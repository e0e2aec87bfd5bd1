"""WAC109: a durable call used as a bare statement, never awaited."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._findings import WARNING
from .._lint import Example, LintContext, Report, Rule

_TASK_EFFECT = ("Windmill dispatches it when the body returns, but its job replays the workflow without "
                "awaiting it, so its body never runs (the job ends with the workflow's value)")
_OTHER_EFFECT = "it never runs: nothing is done or recorded"


class UnawaitedCall(Rule):
    """Calling a task (or step, sleep, approval) returns an awaitable. As a
    bare statement it is never awaited: a task is still dispatched when the
    body returns, but the task's own job replays the workflow without awaiting
    the call, so the task body never runs; a step, sleep or approval does
    nothing at all.
    """

    CODE = "WAC109"
    NAME = "unawaited-call"
    SEVERITY = WARNING
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
                effect = _TASK_EFFECT if call.kind in ("task", "script", "flow") else _OTHER_EFFECT
                yield self.report(call.node, f"`{name}` is never awaited: {effect}")

