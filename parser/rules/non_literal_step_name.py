"""WAC103: `step()` whose name is not a string literal."""

from __future__ import annotations

from typing import Iterator

from .._findings import WARNING
from .._lint import Example, LintContext, Report, Rule
from .._syntax import string_value


class NonLiteralStepName(Rule):
    """Step keys come from the step's name, allocated in call order.

    A computed name can differ between replays and the server's graph shows
    it as a generic `step`. Use a literal; repeated names get `_2`, `_3`.
    """

    CODE = "WAC103"
    NAME = "non-literal-step-name"
    SEVERITY = WARNING
    MESSAGE = "step() name is not a string literal"
    HINT = 'give the step a literal name: `await step("fetch_config", fn)`'
    VALID = [Example("from wmill import step, workflow\n\n@workflow\nasync def main():\n"
                     "    return await step('cfg', lambda: 1)\n")]
    INVALID = [
        Example("from wmill import step, workflow\n\n@workflow\nasync def main(n: str):\n"
                "    return await step(n, lambda: 1)\n", line=5),
        Example("from wmill import step, workflow\n\n@workflow\nasync def main():\n"
                "    return await step(f'x{1}', lambda: 1)\n", line=5),
    ]

    def check(self, ctx: LintContext) -> Iterator[Report]:
        for call in ctx.graph.calls():
            if call.kind == "step" and call.node.args:
                first = call.node.args[0]
                if first.keyword is None and string_value(first.value) is None:
                    yield self.report(call.node)
            elif call.kind == "step":
                yield self.report(call.node, "step() is called without a name")
