"""Windmill's flow expressions evaluated by QuickJS, with the worker's fast paths and wrapping rules."""

from __future__ import annotations

import pytest

from wac.cli.flows.js import Evaluator, ExpressionError

SCOPE = {"flow_input": {"n": 3, "iter": {"index": 1, "value": "b"}}, "results": {"a": {"rows": [4, 5]}},
         "previous_result": {"ok": True, "error": {"name": "Boom", "message": "bad row"}}, "params": {}}


@pytest.mark.parametrize("expr, expected", [
    ("flow_input.n", 3),                                   # a flow_input property: read directly
    ("results.a.rows[1]", 5),                              # the results fast path
    ("previous_result", SCOPE["previous_result"]),         # a scope name alone
    ("flow_input.n * 2 + results.a.rows[0]", 10),          # QuickJS
    ("flow_input.iter.value.toUpperCase()", "B"),
    ("`${flow_input.n} rows`", "3 rows"),
    ("let total = 0; for (const r of results.a.rows) total += r; return total", 9),  # a function body
    ("error.message", "bad row"),                          # `error`: the previous result's error
    ("results.missing", None),
    ("flow_input.nothing", None),                          # undefined comes back as null
    ("({x: undefined, y: [1, null]})", {"y": [1, None]}),
])
def test_expressions_evaluate_as_in_windmill(expr, expected):
    assert Evaluator().eval(expr, SCOPE) == expected


def test_conditions_are_booleans_and_variables_come_from_the_workspace():
    seen = []
    evaluator = Evaluator(lambda kind, path: seen.append((kind, path)) or {"host": "db"})
    assert evaluator.truthy("results.a.rows.length > 1", SCOPE) is True
    assert evaluator.truthy("''", SCOPE) is False
    assert evaluator.eval("resource('f/etl/warehouse').host + variable(\"u/me/token\").host", SCOPE) == "dbdb"
    assert seen == [("resource", "f/etl/warehouse"), ("variable", "u/me/token")]


def test_a_broken_expression_says_which_and_why():
    with pytest.raises(ExpressionError, match=r"expression `flow_input\.\(`:\nQuickJS evaluation error: SyntaxError"):
        Evaluator().eval("flow_input.(", SCOPE)
    with pytest.raises(ExpressionError, match="ReferenceError"):
        Evaluator().eval("nope.x", SCOPE)


def test_prepared_expressions_are_compiled_once_up_front_and_a_broken_one_fails_only_when_used():
    # A flow's host prepares its steps' inputs: the rounds forked from it only call them.
    scope = {"flow_input": {"n": 2}, "results": {"a": [1, 2]}, "previous_result": 5, "params": {}, "flow_env": {}}
    evaluator = Evaluator()
    evaluator.prepare(["previous_result * flow_input.n", "results.a.length + 1", "nope("], scope)
    compiled = dict(evaluator._functions)
    expressions = {expr for expr, _ in compiled}
    assert expressions == {"previous_result * flow_input.n", "results.a.length + 1", "null"}  # null: for warm()
    assert evaluator.eval("previous_result * flow_input.n", scope) == 10
    assert evaluator.eval("results.a.length + 1", scope) == 3
    assert evaluator._functions == compiled  # nothing compiled again
    with pytest.raises(ExpressionError, match="nope"):
        evaluator.eval("nope(", scope)
