"""WAC106: `@workflow` on a plain `def`."""

from __future__ import annotations

from typing import Iterator

from .._lint import Example, LintContext, Report, Rule


class SyncWorkflow(Rule):
    """The workflow body awaits tasks, steps and sleeps, so it must be a
    coroutine; Windmill rejects a sync workflow ("Workflow function must be
    async.").
    """

    CODE = "WAC106"
    NAME = "sync-workflow"
    MESSAGE = "@workflow function is not async"
    HINT = "declare it `async def main(...)`"
    VALID = [Example("from wmill import workflow\n\n@workflow\nasync def main():\n    return 1\n")]
    INVALID = [Example("from wmill import workflow\n\n@workflow\ndef main():\n    return 1\n", line=4)]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        workflow = ctx.graph.workflow
        if workflow is not None and workflow.asynchronous is None:
            yield self.report(workflow)
