"""Reading YAML as the wmill CLI does (YAML 1.2 core schema), fast: libyaml does the parsing.

PyYAML alone resolves YAML 1.1 (`yes` is true, `012` is octal, dates are
dates); here plain scalars resolve as in 1.2 core, the schema of the npm
`yaml` package: only true/false are booleans, only null/~/empty are null,
numbers are decimal, 0o octal or 0x hex, and everything else is a string.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


class _Core12Loader(_Base):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers: dict = {}


_RESOLVERS = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
)
for _tag, _pattern, _first in _RESOLVERS:
    _Core12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _int(loader: yaml.Loader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _float(loader: yaml.Loader, node: yaml.Node) -> float:
    text = loader.construct_scalar(node).lower().lstrip("+")
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    return float("nan") if text == ".nan" else float(text)


_Core12Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Core12Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Core12Loader.add_constructor("tag:yaml.org,2002:timestamp", _Core12Loader.construct_yaml_str)


def load(text: str) -> Any:
    """The value of a YAML document; raises YAMLError."""
    return yaml.load(text, Loader=_Core12Loader)


def describe(exc: YAMLError) -> str:
    """One line for a YAML error: the problem and where it is."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else problem
