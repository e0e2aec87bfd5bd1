"""WAC104: `@task` on a function that is not defined at module top level."""

from __future__ import annotations

from typing import Iterator

from .._lint import Example, LintContext, Report, Rule


class TaskNotTopLevel(Rule):
    """A task runs as a child job that re-imports the script and looks the
    task up by name at module level. A task defined inside a function or a
    class cannot be found there, and the WAC parser rejects it.
    """

    CODE = "WAC104"
    NAME = "task-not-top-level"
    MESSAGE = "@task must decorate a top-level function"
    HINT = "move the task function to module level, next to the workflow"
    VALID = [Example("from wmill import task\n\n@task\nasync def double(n: int):\n    return 2 * n\n")]
    INVALID = [
        Example(
            "from wmill import task, workflow\n\n@workflow\nasync def main():\n"
            "    @task\n    async def inner():\n        return 1\n    return await inner()\n",
            line=5,
        )
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for task in ctx.graph.tasks.values():
            if not task.top_level:
                yield self.report(task.decorator, f"task `{task.name}` is not defined at top level")
