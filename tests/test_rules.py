"""Every rule against its own valid and invalid examples, plus engine behaviour."""

from __future__ import annotations

import pytest

from wac.parser import ALL_RULES, lint_source

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.CODE}-{'valid' if valid else 'invalid'}-{i}")
    for rule in ALL_RULES
    for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize("rule, example, valid", CASES)
def test_rule_examples(rule, example, valid):
    findings = lint_source(example.code, module_files=example.modules, repo_flows=example.flows)
    found = [f for f in findings if f.code == rule.CODE]
    if valid:
        assert found == []
    else:
        assert found, "the rule did not report its invalid example"
        if example.line is not None:
            assert example.line in [f.line for f in found]
        assert all(f.rule == rule.NAME and f.severity == rule.SEVERITY and f.hint for f in found)


def test_codes_are_unique_and_documented():
    codes = [rule.CODE for rule in ALL_RULES]
    assert len(codes) == len(set(codes))
    for rule in ALL_RULES:
        assert rule.__doc__ and rule.MESSAGE and rule.HINT and rule.VALID and rule.INVALID


def test_syntax_error_is_a_finding():
    [finding] = lint_source("def main(:\n", "bad.py")
    assert (finding.code, finding.path, finding.line, finding.severity) == ("WAC001", "bad.py", 1, "error")


def test_ignore_comment_silences_one_code():
    code = ("import random\nfrom wmill import workflow\n\n@workflow\nasync def main():\n"
            "    return random.random()  # wac: ignore[WAC101]\n")
    assert lint_source(code) == []
    assert [f.code for f in lint_source(code.replace("[WAC101]", "[WAC999]"))] == ["WAC101"]


def test_environ_get_reported_once():
    code = "import os\nfrom wmill import workflow\n\n@workflow\nasync def main():\n    return os.environ.get('X')\n"
    assert [(f.code, f.line) for f in lint_source(code)] == [("WAC101", 6)]


def test_nondeterminism_inside_task_and_step_is_fine():
    code = ("import time\nfrom wmill import task, step, workflow\n\n@task\nasync def t():\n    return time.time()\n\n"
            "@workflow\nasync def main():\n    a = await step('a', lambda: time.time())\n"
            "    async def later():\n        return time.time()\n    return await t()\n")
    assert [f.code for f in lint_source(code)] == []


def test_shadowed_import_name_is_not_confused():
    code = ("from wmill import workflow\n\n@workflow\nasync def main(random: dict):\n"
            "    return random.get('x')\n")
    assert lint_source(code) == []
