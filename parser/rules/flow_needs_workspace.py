"""WAC112: `task_flow` targets cannot run in a local preview."""

from __future__ import annotations

from typing import Iterator

from .._findings import WARNING
from .._lint import Example, LintContext, Report, Rule


class FlowNeedsWorkspace(Rule):
    """`task_flow("f/...")` dispatches a flow deployed in a workspace. The
    local executor has no flows, so `wac script preview` stops when it
    reaches one; run such workflows with `wac script run` after a push.
    """

    CODE = "WAC112"
    NAME = "flow-needs-workspace"
    SEVERITY = WARNING
    MESSAGE = "task_flow needs a deployed flow: local preview cannot run it"
    HINT = "preview the parts before it locally; run the whole workflow in a workspace"
    VALID = [Example("from wmill import task_script\n\nx = task_script('f/a/b')\n")]
    INVALID = [Example("from wmill import task_flow\n\npipeline = task_flow('f/etl/pipeline')\n", line=3)]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for ref in ctx.graph.references.values():
            if ref.kind == "flow":
                yield self.report(ref.call)
        for call in ctx.graph.calls():
            if call.kind == "flow" and call.name not in {r.target for r in ctx.graph.references.values()}:
                yield self.report(call.node)
