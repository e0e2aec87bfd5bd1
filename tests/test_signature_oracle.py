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
