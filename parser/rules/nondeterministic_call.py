"""WAC101: non-deterministic calls in the workflow body."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._lint import Example, LintContext, Report, Rule

_EXACT = {
    "datetime.datetime.now": "the current time",
    "datetime.datetime.utcnow": "the current time",
    "datetime.datetime.today": "the current time",
    "datetime.date.today": "the current date",
    "time.time": "the current time",
    "time.time_ns": "the current time",
    "time.monotonic": "a clock reading",
    "time.perf_counter": "a clock reading",
    "uuid.uuid1": "a random id",
    "uuid.uuid4": "a random id",
    "os.getenv": "the environment",
    "os.environ.get": "the environment",
    "open": "a file",
    "input": "user input",
    "urllib.request.urlopen": "the network",
}
_PREFIXES = {
    "random.": "a random value",
    "secrets.": "a random value",
    "requests.": "the network",
    "httpx.": "the network",
    "aiohttp.": "the network",
    "socket.": "the network",
}


class NondeterministicCall(Rule):
    """The workflow body re-runs from the top on every replay.

    A value that can differ between replays (time, randomness, environment,
    files, network) changes what the body does after a suspension, so step
    keys shift and cached results map to the wrong calls. Capture such values
    with `step()` or move the work into a task.
    """

    CODE = "WAC101"
    NAME = "nondeterministic-call"
    MESSAGE = "non-deterministic call in the workflow body"
    HINT = 'wrap it in a step, e.g. `await step("now", lambda: ...)`, or move it into a @task'
    VALID = [
        Example(
            "from datetime import datetime\nfrom wmill import step, workflow\n\n"
            "@workflow\nasync def main():\n"
            "    ts = await step('ts', lambda: datetime.now().isoformat())\n    return ts\n"
        ),
        Example(
            "import random\nfrom wmill import task, workflow\n\n"
            "@task\nasync def roll():\n    return random.random()\n\n"
            "@workflow\nasync def main():\n    return await roll()\n"
        ),
    ]
    INVALID = [
        Example(
            "from datetime import datetime as dt\nfrom wmill import workflow\n\n"
            "@workflow\nasync def main():\n    return dt.now()\n",
            line=6,
        ),
        Example(
            "import random\nfrom wmill import workflow\n\n@workflow\nasync def main():\n"
            "    if random.random() > 0.5:\n        return 1\n",
            line=6,
        ),
        Example("import os\nfrom wmill import workflow\n\n@workflow\nasync def main():\n"
                "    return os.environ['HOME']\n", line=6),
        Example("import uuid\nfrom wmill import workflow\n\n@workflow\nasync def main():\n"
                "    return str(uuid.uuid4())\n", line=6),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        reported: set[int] = set()
        for node in ctx.replayed_nodes:
            if id(node) in reported:
                continue
            if isinstance(node, cst.Call):
                what = _what(ctx.source.qualified(node.func))
                if what:
                    reported.update(id(n) for n in _attribute_chain(node.func))
                    name = ctx.source.code_for(node.func)
                    yield self.report(node, f"`{name}()` reads {what} in the workflow body, "
                                      "so replays can diverge")
            elif isinstance(node, (cst.Attribute, cst.Subscript)) and _is_environ(ctx, node):
                reported.update(id(n) for n in _attribute_chain(node))
                yield self.report(node, "`os.environ` is read in the workflow body, "
                                  "so replays can diverge")


def _attribute_chain(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    chain = []
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        chain.append(node)
        node = node.value
    return chain


def _what(qualified: str | None) -> str | None:
    if qualified is None:
        return None
    if qualified in _EXACT:
        return _EXACT[qualified]
    for prefix, what in _PREFIXES.items():
        if qualified.startswith(prefix):
            return what
    return None


def _is_environ(ctx: LintContext, node: cst.Attribute | cst.Subscript) -> bool:
    target = node.value if isinstance(node, cst.Subscript) else node
    return ctx.source.qualified(target) == "os.environ"
