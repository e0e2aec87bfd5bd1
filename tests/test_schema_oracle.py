"""Schemas against the `.script.yaml` files the reference CLI wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import FIXTURES, strict_equal
from wac.parser import SourceSyntaxError, default_schema, infer_schema, parse_signature

SCRIPTS = sorted((FIXTURES / "schema" / "f" / "cases").glob("*.py"))
_yaml = YAML(typ="safe", pure=True)


def reference_schema(script: Path) -> dict:
    return _yaml.load(script.with_suffix(".script.yaml").read_text(encoding="utf-8"))["schema"]


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_schema_matches_reference(script):
    try:
        ours = infer_schema(parse_signature(script.read_text(encoding="utf-8")), default_schema())
    except SourceSyntaxError:
        ours = default_schema()  # what the reference keeps for an unparsable script
    assert strict_equal(ours, reference_schema(script))


def test_regeneration_keeps_hand_edits():
    first = infer_schema(parse_signature("def main(name: str, when: str = 'x'):\n    pass\n"), default_schema())
    first["properties"]["name"].update(description="Who to greet", pattern="^[a-z]+$", title="Name")
    first["properties"]["when"]["format"] = "date-time"
    again = infer_schema(parse_signature("def main(name: str, when: str = 'x', n: int = 1):\n    pass\n"),
                         first)
    assert again["properties"]["name"]["description"] == "Who to greet"
    assert again["properties"]["name"]["pattern"] == "^[a-z]+$"
    assert again["properties"]["name"]["title"] == "Name"
    assert again["properties"]["when"]["format"] == "date-time"
    assert again["properties"]["n"] == {"description": "", "type": "integer", "default": 1}
    assert again["required"] == ["name"]


def test_type_change_behaves_like_the_reference():
    # The CLI only overwrites the keys the new type sets: `items` and
    # `originalType` of the old list type stay behind. Byte-compatibility
    # means keeping that quirk.
    first = infer_schema(parse_signature("def main(x: list[int]):\n    pass\n"), default_schema())
    again = infer_schema(parse_signature("def main(x: int):\n    pass\n"), first)
    assert again["properties"]["x"] == {
        "default": None, "description": "", "items": {"type": "number"},
        "originalType": "number[]", "type": "integer",
    }


def test_removed_argument_disappears():
    first = infer_schema(parse_signature("def main(a: int, b: int):\n    pass\n"), default_schema())
    again = infer_schema(parse_signature("def main(a: int):\n    pass\n"), first)
    assert list(again["properties"]) == ["a"] and again["required"] == ["a"]


def test_user_enum_on_plain_string_survives():
    first = infer_schema(parse_signature("def main(mode: str):\n    pass\n"), default_schema())
    first["properties"]["mode"]["enum"] = ["a", "b"]
    again = infer_schema(parse_signature("def main(mode: str = 'a'):\n    pass\n"), first)
    assert again["properties"]["mode"]["enum"] == ["a", "b"]
