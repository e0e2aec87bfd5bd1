"""WAC111: unknown option names on `@task(...)`, `task_script(...)`, `task_flow(...)`."""

from __future__ import annotations

import difflib
from typing import Iterator

from .._graph import TASK_OPTIONS, Options
from .._lint import Example, LintContext, Report, Rule


class UnknownTaskOption(Rule):
    """Task options are sent to the server by name; a misspelled one such as
    `timout=60` is silently dropped and the task runs with no timeout.
    """

    CODE = "WAC111"
    NAME = "unknown-task-option"
    MESSAGE = "unknown task option"
    HINT = "valid options: path, " + ", ".join(TASK_OPTIONS)
    VALID = [Example("from wmill import task\n\n@task(timeout=60, tag='etl', cache_ttl=5)\n"
                     "async def a():\n    return 1\n")]
    INVALID = [
        Example("from wmill import task\n\n@task(timout=60)\nasync def a():\n    return 1\n", line=3),
        Example("from wmill import task_script\n\nx = task_script('f/a/b', priorty=1)\n", line=3),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for task in ctx.graph.tasks.values():
            yield from self._unknown(task.options, allowed=("path", *TASK_OPTIONS))
        for ref in ctx.graph.references.values():
            yield from self._unknown(ref.options, allowed=TASK_OPTIONS)

    def _unknown(self, options: Options, allowed: tuple[str, ...]) -> Iterator[Report]:
        for name, node in options.nodes.items():
            if name in allowed:
                continue
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"did you mean `{close[0]}`?" if close else None
            yield self.report(node, f"unknown task option `{name}`", hint)
