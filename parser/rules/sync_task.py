"""WAC105: `@task` on a plain `def`."""

from __future__ import annotations

from typing import Iterator

from .._lint import Example, LintContext, Report, Rule


class SyncTask(Rule):
    """Windmill's WAC parser only collects `async def` tasks: a plain `def`
    task is missing from the workflow's graph and timeline on the server.
    """

    CODE = "WAC105"
    NAME = "sync-task"
    MESSAGE = "@task function is not async"
    HINT = "declare it `async def`"
    VALID = [Example("from wmill import task\n\n@task\nasync def double(n: int):\n    return 2 * n\n")]
    INVALID = [Example("from wmill import task\n\n@task\ndef double(n: int):\n    return 2 * n\n", line=4)]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for task in ctx.graph.tasks.values():
            if task.top_level and not task.is_async:
                yield self.report(task.node, f"task `{task.name}` is not async")
