"""WAC112: `task_flow` naming a flow the repo does not have."""

from __future__ import annotations

from typing import Iterator

from .._findings import WARNING
from .._lint import Example, LintContext, Report, Rule


class FlowNotInRepo(Rule):
    """`task_flow("f/...")` runs a flow by path: on a workspace, the deployed
    one; in a local preview, the repo's own (`f/.../x.flow/`). A path the
    repo has no flow folder for fails the local run when the call is reached
    (and the workspace run too, unless the flow was deployed some other way).
    Reported only when the repo's flows are known (`wac lint` in a repo).
    """

    CODE = "WAC112"
    NAME = "flow-not-in-repo"
    SEVERITY = WARNING
    MESSAGE = "task_flow names a flow this repo does not have: a local preview fails there"
    HINT = "add its folder (`<path>.flow/`), pull it with `wac sync pull`, or fix the path"
    VALID = [Example("from wmill import task_flow\n\ndaily = task_flow('f/etl/daily')\n")]
    INVALID = [Example("from wmill import task_flow\n\npipeline = task_flow('f/etl/pipeline')\n", line=3)]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        if ctx.repo_flows is None:
            return
        seen = [(ref.target, ref.call) for ref in ctx.graph.references.values() if ref.kind == "flow"]
        seen += [(c.name, c.node) for c in ctx.graph.calls() if c.kind == "flow" and c.name]
        for target, node in seen:
            if target and target not in ctx.repo_flows:
                yield self.report(node, f"task_flow('{target}'): this repo has no such flow, so a local preview "
                                        "fails there")
