"""`-d` arguments checked against main()'s schema before anything runs: one rule per case."""

from __future__ import annotations

import pytest

from wac.cli.args import check_args

SCHEMA = {
    "required": ["name", "count"],
    "properties": {
        "name": {"type": "string"},
        "count": {"type": "integer"},
        "ratio": {"type": "number"},
        "flag": {"type": "boolean"},
        "tags": {"type": "array"},
        "options": {"type": "object"},
        "mode": {"type": "string", "enum": ["fast", "slow"]},
        "anything": {},
    },
}
VALID = {"name": "x", "count": 1}


@pytest.mark.parametrize("args, problems", [
    (VALID, []),
    ({**VALID, "ratio": 2, "flag": False, "tags": [], "options": {}, "mode": "slow", "anything": [1]}, []),
    ({**VALID, "ratio": None}, []),  # an optional argument may be null
    ({"name": "x"}, ["missing required argument `count`"]),
    ({**VALID, "count": None}, ["`count` is required and cannot be null"]),
    ({**VALID, "count": True}, ["`count` must be integer, got boolean"]),
    ({**VALID, "ratio": False}, ["`ratio` must be number, got boolean"]),
    ({**VALID, "count": 1.5}, ["`count` must be integer, got number"]),
    ({**VALID, "name": 3}, ["`name` must be string, got integer"]),
    ({**VALID, "tags": "a"}, ["`tags` must be array, got string"]),
    ({**VALID, "options": []}, ["`options` must be object, got array"]),
    ({**VALID, "mode": "medium"}, ["`mode` must be one of fast, slow, got 'medium'"]),
    ({**VALID, "nmae": "x"}, ["unknown argument `nmae` (main takes: name, count, ratio, flag, tags, options, mode, "
                              "anything)"]),
], ids=["valid", "every-type", "optional-null", "missing", "required-null", "bool-is-not-int",
        "bool-is-not-number", "float-is-not-int", "wrong-type", "array", "object", "enum", "unknown"])
def test_each_rule(args, problems):
    assert check_args(args, SCHEMA) == problems


def test_star_kwargs_take_unknown_names():
    assert check_args({**VALID, "extra": 1}, SCHEMA, star_kwargs=True) == []
