"""The YAML emitter against the npm `yaml` package and the reference CLI's files."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from conftest import FIXTURES
from wac.cli.metadata.yaml_emit import dump, js_number

INPUTS = json.loads((FIXTURES / "yaml" / "inputs.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((FIXTURES / "yaml" / "expected.json").read_text(encoding="utf-8"))
REFERENCE_FILES = sorted(p for p in (FIXTURES / "schema").rglob("*.yaml") if p.name != "wmill.yaml")


@pytest.mark.parametrize("index", range(len(INPUTS)))
def test_matches_npm_yaml(index):
    assert dump(INPUTS[index]) == EXPECTED[index]


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_reference_files_round_trip_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert dump(YAML(typ="safe", pure=True).load(text)) == text


@pytest.mark.parametrize("value, text", [(1.5, "1.5"), (1e21, "1e+21"), (1.5e-7, "1.5e-7"), (100.0, "100"),
                                         (1e16, "10000000000000000"), (1e-6, "0.000001"), (-0.0, "-0")])
def test_numbers_print_like_javascript(value, text):
    assert js_number(value) == text
