"""wac's replay context against the real wmill 1.850 SDK, round by round.

Both are driven by tests/sdk_driver.py, which answers every round the same
way; the wmill side was recorded by fixtures/sdk_rounds/record.sh.
"""

from __future__ import annotations

import json
import sys

import pytest

import sdk_driver
from conftest import FIXTURES
from wac.sdk._engine.loading import SHIM_DIR

ROUNDS = FIXTURES / "sdk_rounds"
REFERENCE = json.loads((ROUNDS / "wmill_1.850.0.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def wmill_is_wac(monkeypatch):
    """`import wmill` in the workflows resolves to wac's shim, as inside the executor."""
    monkeypatch.syspath_prepend(str(SHIM_DIR))
    for name in [m for m in sys.modules if m == "wmill" or m.startswith("wmill.")]:
        monkeypatch.delitem(sys.modules, name)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # unawaited.py leaves coroutines unawaited on purpose
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_rounds_match_the_real_sdk(name, capsys):
    module = sdk_driver.load(ROUNDS / "workflows" / f"{name}.py")
    ours = sdk_driver.drive(module, sdk_driver.wac_rounds)
    assert len(ours) == len(REFERENCE[name])
    for index, (mine, theirs) in enumerate(zip(ours, REFERENCE[name])):
        assert mine == theirs, f"round {index + 1} of {name}"


def test_the_wac_api_has_wmills_signatures():
    import wmill

    reference = json.loads((ROUNDS / "wmill_1.850.0_signatures.json").read_text(encoding="utf-8"))
    assert sdk_driver.signatures(wmill) == reference
