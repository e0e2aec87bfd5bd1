"""`-d` arguments: parsing (`JSON`, `@file`, `@-`) and checking against the script's schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .errors import InvalidInput

_TYPES = {"integer": (int,), "number": (int, float), "string": (str,), "boolean": (bool,),
          "array": (list,), "object": (dict,)}


def parse_data(data: str | None) -> dict[str, Any]:
    """The args object from `-d`: inline JSON, `@path` or `@-` (stdin); `{}` when absent."""
    if data is None:
        return {}
    if data == "@-":
        text, source = sys.stdin.read(), "stdin"
    elif data.startswith("@"):
        path = Path(data[1:])
        if not path.is_file():
            raise InvalidInput(f"-d {data}: no such file", "give a JSON file path after @, or @- for stdin")
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        text, source = data, "-d"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                           """pass an object, e.g. -d '{"n": 3}'""") from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{source}: expected a JSON object of arguments, got {_json_type(value)}",
                           """pass an object, e.g. -d '{"n": 3}'""")
    return value


def _reference(value: Any) -> bool:
    """`$res:path` or `$var:path`: what it names is checked where the job reads it, as on a worker."""
    return isinstance(value, str) and value.startswith(("$res:", "$var:"))


def check_args(args: dict[str, Any], schema: dict[str, Any], *, star_kwargs: bool = False) -> list[str]:
    """One message per bad field: missing required, unknown name, wrong type, not in enum."""
    properties = schema.get("properties") or {}
    required = schema.get("required") or []
    problems = [f"missing required argument `{name}`" for name in required if name not in args]
    problems += [f"`{name}` is required and cannot be null" for name in required if name in args and args[name] is None]
    for name, value in args.items():
        spec = properties.get(name)
        if spec is None:
            if not star_kwargs:
                known = ", ".join(properties) or "none"
                problems.append(f"unknown argument `{name}` (main takes: {known})")
            continue
        expected = _TYPES.get(spec.get("type") or "")
        if value is None or expected is None or _reference(value):
            continue
        if isinstance(value, bool) and spec.get("type") in ("integer", "number"):
            problems.append(f"`{name}` must be {spec['type']}, got boolean")
        elif not isinstance(value, expected):
            problems.append(f"`{name}` must be {spec['type']}, got {_json_type(value)}")
        elif spec.get("enum") and value not in spec["enum"]:
            problems.append(f"`{name}` must be one of {', '.join(map(str, spec['enum']))}, got {value!r}")
    return problems


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def parse_json_option(text: str | None, option: str) -> Any:
    """The JSON value of an option such as --approval-value (None when absent)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise InvalidInput(f"{option} is not valid JSON", f"""e.g. {option} '{{"reason": "ok"}}'""") from None


_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """Seconds in an age such as `7d`, `12h`, `30m`, `90s` or `2w`."""
    number, unit = text[:-1], text[-1:].lower()
    try:
        value = float(number)
    except ValueError:
        value = -1
    if unit not in _AGE_UNITS or value < 0:
        raise InvalidInput(f"`{text}` is not an age", "use a number and a unit: 30m, 12h, 7d, 2w")
    return value * _AGE_UNITS[unit]


def given_items(option: str, pairs: list[str], as_json: bool) -> dict[str, Any]:
    """`--var PATH=VALUE` / `--resource PATH=JSON` pairs, by path (one line and a hint for a bad one)."""
    example = """--resource 'f/x/db={"host": "h"}'""" if as_json else "--var f/x/key=secret"
    found: dict[str, Any] = {}
    for pair in pairs:
        path, sep, value = pair.partition("=")
        if not sep or not path.strip():
            raise InvalidInput(f"{option} {pair!r}: expected PATH={'JSON' if as_json else 'VALUE'}", f"e.g. {example}")
        if as_json:
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{option} {path}: its value is not JSON ({exc.msg})",
                                   f"quote it for the shell, e.g. {example}") from None
        found[path.strip()] = value
    return found
