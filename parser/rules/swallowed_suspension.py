"""WAC108: bare `except:` or `except BaseException` around durable calls."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._graph import Block, Node, WacCall
from .._lint import Example, LintContext, Report, Rule
from .._syntax import dotted_name
from .._walk import walk


class SwallowedSuspension(Rule):
    """A workflow suspends by raising a `BaseException` from the durable call.
    A bare `except:` or `except BaseException` catches that signal, so the
    workflow carries on as if the task had returned and never checkpoints.
    Catch `TaskError` (or `Exception`) instead.
    """

    CODE = "WAC108"
    NAME = "swallowed-suspension"
    MESSAGE = "this handler catches the workflow's suspension signal"
    HINT = "catch `TaskError` (from wmill.client) or `Exception` instead"
    VALID = [
        Example("from wmill import task, workflow\nfrom wmill.client import TaskError\n\n"
                "@task\nasync def a():\n    return 1\n\n@workflow\nasync def main():\n"
                "    try:\n        return await a()\n    except TaskError:\n        return 0\n"),
        Example("from wmill import workflow\n\n@workflow\nasync def main():\n"
                "    try:\n        x = int('1')\n    except:\n        x = 0\n    return x\n"),
    ]
    INVALID = [
        Example("from wmill import task, workflow\n\n@task\nasync def a():\n    return 1\n\n"
                "@workflow\nasync def main():\n    try:\n        return await a()\n"
                "    except:\n        return 0\n", line=11),
        Example("from wmill import sleep, workflow\n\n@workflow\nasync def main():\n"
                "    try:\n        await sleep(5)\n    except BaseException:\n        pass\n", line=7),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for block in _try_blocks(ctx.graph.body):
            node = block.node
            if not isinstance(node, cst.Try) or not _has_call(node.body, block.children):
                continue
            for handler in node.handlers:
                caught = None if handler.type is None else dotted_name(handler.type)
                if handler.type is None or caught in ("BaseException", "builtins.BaseException"):
                    label = "bare `except:`" if handler.type is None else "`except BaseException`"
                    yield self.report(handler, f"{label} around a durable call swallows suspension")


def _try_blocks(nodes: list[Node]) -> Iterator[Block]:
    for node in nodes:
        if isinstance(node, Block):
            if node.kind == "try":
                yield node
            yield from _try_blocks(node.children)


def _has_call(body: cst.BaseSuite, children: list[Node]) -> bool:
    """Whether one of the try's durable calls sits in its body (not a handler)."""
    inside = {id(node) for node in walk(body) if isinstance(node, cst.Call)}
    return any(id(call.node) in inside for call in _flatten(children))


def _flatten(nodes: list[Node]) -> Iterator[WacCall]:
    for node in nodes:
        if isinstance(node, WacCall):
            yield node
        elif isinstance(node, Block):
            yield from _flatten(node.children)
        else:
            yield from node.calls
