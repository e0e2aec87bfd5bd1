"""A flow's flow.yaml is parsed once per content: an unchanged file is read back from wac's cache without
the YAML parser (nor importing it), an edited one is parsed again, and values JSON cannot hold are never
cached."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wac.cli.errors import InvalidInput
from wac.cli.flows.definition import load_folder

FLOW = """summary: cached
value:
  modules:
    - id: a
      value:
        type: identity
schema:
  properties:
    day:
      type: string
      default: 2026-12-01
"""
LOAD = """
import json, sys
from pathlib import Path
from wac.cli.flows.definition import load_folder
flow = load_folder(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"yaml": "yaml" in sys.modules, "value": flow.value, "schema": flow.schema}))
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "wmill.yaml").write_text("includes:\n  - f/**\n")
    (tmp_path / "f" / "x" / "daily.flow").mkdir(parents=True)
    (tmp_path / "f" / "x" / "daily.flow" / "flow.yaml").write_text(FLOW)
    return tmp_path


def load_in_process(repo: Path) -> dict:
    """Load the flow in a fresh interpreter: what it reads, and whether it imported the YAML parser."""
    done = subprocess.run([sys.executable, "-c", LOAD, str(repo / "f/x/daily.flow"), str(repo)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_an_unchanged_flow_is_read_without_the_yaml_parser(repo):
    first = load_in_process(repo)
    second = load_in_process(repo)
    assert first["yaml"] is True and second["yaml"] is False
    assert second["value"] == first["value"] and second["schema"] == first["schema"]
    assert second["schema"]["properties"]["day"]["default"] == "2026-12-01"  # YAML 1.2: a string, not a date
    assert list((repo / ".wac" / "cache" / "yaml").iterdir())
    assert (repo / ".wac" / ".gitignore").is_file()  # wac's state never shows as untracked


def test_an_edited_flow_is_parsed_again(repo):
    load_in_process(repo)
    definition = repo / "f/x/daily.flow/flow.yaml"
    definition.write_text(FLOW.replace("type: identity", "type: identity\n      summary: edited"))
    edited = load_in_process(repo)
    assert edited["yaml"] is True and edited["value"]["modules"][0]["summary"] == "edited"


def test_values_json_cannot_hold_are_not_cached(repo):
    definition = repo / "f/x/daily.flow/flow.yaml"
    definition.write_text(FLOW + "  required: {1: day}\n")  # an int key: JSON would make it "1"
    for _ in range(2):
        flow = load_folder(repo / "f/x/daily.flow", repo)
        assert flow.schema["required"] == {1: "day"}
    assert load_in_process(repo)["yaml"] is True


def test_invalid_yaml_is_one_clear_error_cached_or_not(repo):
    load_in_process(repo)
    definition = repo / "f/x/daily.flow/flow.yaml"
    definition.write_text(FLOW + "  bad: [unclosed\n")
    with pytest.raises(InvalidInput) as raised:
        load_folder(repo / "f/x/daily.flow", repo)
    assert "invalid YAML" in raised.value.message and "line" in raised.value.message
