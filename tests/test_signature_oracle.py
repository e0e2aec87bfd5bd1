"""main() signatures against the reference Windmill parser's raw output."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, oracle_cases, strict_equal
from wac.parser import SourceSyntaxError, parse_signature

CASES = oracle_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["file"].rsplit("/", 1)[-1] for c in CASES])
def test_signature_matches_reference(case):
    code = (FIXTURES / "schema" / case["file"]).read_text(encoding="utf-8")
    expected = case["sig"]
    if expected.get("type") == "Invalid":
        with pytest.raises(SourceSyntaxError):
            parse_signature(code)
        return
    for arg in expected["args"]:
        arg.pop("oidx", None)
    ours = parse_signature(code).to_json()
    for mine, theirs in zip(ours["args"], expected["args"]):
        assert strict_equal(mine, theirs), (mine, theirs)
    assert strict_equal(ours, expected)


def test_every_type_table_row_has_a_fixture():
    files = {c["file"].rsplit("/", 1)[-1] for c in CASES}
    for needed in ("scalars.py", "lists.py", "optionals.py", "literals.py", "enums.py", "dates.py",
                   "resources.py", "models.py", "defaults.py", "untyped.py", "stars.py", "preproc.py",
                   "nomain.py", "async_plain.py", "wac_main.py", "broken_syntax.py"):
        assert needed in files


def test_syntax_error_reports_line_and_column():
    with pytest.raises(SourceSyntaxError) as info:
        parse_signature("def main(a:\n    return 1\n")
    assert info.value.line >= 1 and info.value.column >= 1


LONG_SCRIPT = '''from enum import Enum
from pydantic import BaseModel


class Mode(str, Enum):
    FAST = "fast"
    SLOW = "slow"


class Inner(BaseModel):
    mode: Mode = Mode.FAST


def helper(x: int) -> int:
    return x


class Unused(BaseModel):
    size: int


class Outer(BaseModel):
    inner: Inner
    count: int = 1


@(
    lambda f: f
)
def main(config: Outer, mode: Mode = Mode.SLOW, n: int = 3):
    """Does things.

    Args:
        n (int): how many
    """
    return helper(n)


def main(other: str):
    return other
'''


@pytest.mark.parametrize("code", [LONG_SCRIPT] + [
    (FIXTURES / "schema" / c["file"]).read_text(encoding="utf-8") for c in CASES if c["sig"].get("type") != "Invalid"
], ids=["long"] + [c["file"].rsplit("/", 1)[-1] for c in CASES if c["sig"].get("type") != "Invalid"])
def test_reading_only_what_the_signature_needs_changes_nothing(code):
    """parse_signature cuts main and its classes out of the file; the whole module gives the same."""
    from wac.parser import signature_of_module
    from wac.parser._syntax import parse_module

    assert parse_signature(code).to_json() == signature_of_module(parse_module(code)).to_json()
