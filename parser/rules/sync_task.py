"""WAC105: `@task` on a plain `def`."""

from __future__ import annotations

from typing import Iterator

from .._findings import WARNING
from .._lint import Example, LintContext, Report, Rule


class SyncTask(Rule):
    """A plain `def` task runs fine (Windmill's own tests use `@task() def`),
    but Windmill's workflow graph only collects `async def` tasks, so this one
    is missing from the graph the server shows.
    """

    CODE = "WAC105"
    NAME = "sync-task"
    SEVERITY = WARNING
    MESSAGE = "plain `def` task: it runs, but Windmill's workflow graph only shows `async def` tasks"
    HINT = "declare it `async def` to see it in Windmill's graph"
    VALID = [Example("from wmill import task\n\n@task\nasync def double(n: int):\n    return 2 * n\n")]
    INVALID = [Example("from wmill import task\n\n@task\ndef double(n: int):\n    return 2 * n\n", line=4)]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for task in ctx.graph.tasks.values():
            if task.top_level and not task.is_async:
                yield self.report(task.node, f"task `{task.name}` is a plain `def`: it runs, but Windmill's "
                                             "workflow graph only shows `async def` tasks")
