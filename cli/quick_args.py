"""A preview's quick path: `wac script preview` and `wac flow preview` read a plain command line without typer.

Importing typer (and the click it carries) is ~45 ms, a tenth of a 40-step preview, spent before the run's
host is asked for the script. These two commands read their options here instead when every argument is one
this table knows in its plain form; anything else (help, an unknown or `--remote` option, a value that does
not convert, `--`, grouped short flags) returns None and typer reads the line, with its own messages.
tests/test_quick_args.py holds the table to the typer commands' options and values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .run_commands import EnvChoice, flow_preview, script_preview


@dataclass(frozen=True)
class Flag:
    """One option as typer declares it: its names, the kind of value, a minimum, an environment variable."""

    names: tuple[str, ...]
    kind: str = "text"  # text | flag (no value) | int | path | many (repeatable text) | env (EnvChoice)
    default: Any = None
    minimum: int | None = None
    envvar: str | None = None


RUN_FLAGS = {
    "data": Flag(("-d", "--data")),
    "silent": Flag(("-s", "--silent"), "flag", False),
    "workers": Flag(("--workers",), "int", minimum=1),
    "skip_sleeps": Flag(("--skip-sleeps",), "flag", False),
    "approve": Flag(("--approve",), "flag", False),
    "await_approvals": Flag(("--await-approvals",), "flag", False),
    "reject": Flag(("--reject",), "flag", False),
    "approval_value": Flag(("--approval-value",)),
    "approver": Flag(("--approver",)),
    "store": Flag(("--store",), "path", envvar="WAC_STORE"),
    "env": Flag(("--env",), "env", EnvChoice.locked),
    "index_url": Flag(("--index-url",)),
    "find_links": Flag(("--find-links",), "many"),
    "no_index": Flag(("--no-index",), "flag", False),
    "variables": Flag(("--var",), "many"),
    "resources": Flag(("--resource",), "many"),
}


@dataclass(frozen=True)
class QuickCommand:
    """A command the quick path reads: its options, and the typer-free function that runs it."""

    flags: dict[str, Flag]
    run: Callable[..., None]
    typer_only: frozenset[str] = frozenset()  # its options only typer reads: given, they send the line there


QUICK_COMMANDS = {
    ("script", "preview"): QuickCommand(RUN_FLAGS, script_preview),
    ("flow", "preview"): QuickCommand({**RUN_FLAGS, "step": Flag(("--step",))}, flow_preview,
                                      frozenset({"remote", "workspace", "base_url", "token", "config_dir"})),
}


def quick_call(command: tuple[str, ...], args: list[str]) -> Callable[[], None] | None:
    """The call that runs `wac COMMAND ARGS`, when this module reads ARGS as typer would; else None."""
    quick = QUICK_COMMANDS.get(command)
    values = None if quick is None else parse(args, quick.flags)
    if values is None:
        return None
    path = values.pop("path")
    return lambda: quick.run(path, **values)


def parse(args: list[str], flags: dict[str, Flag]) -> dict[str, Any] | None:
    """`path` and each flag's value, as typer gives them to the command; None for a line left to typer."""
    by_name = {name: param for param, flag in flags.items() for name in flag.names}
    given: dict[str, Any] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if not arg.startswith("-") or arg == "-":
            if "path" in given:
                return None
            given["path"] = Path(arg)
            continue
        name, equals, inline = arg.partition("=")
        param = by_name.get(name if name.startswith("--") else arg)
        if param is None:
            return None
        flag = flags[param]
        if flag.kind == "flag":
            if equals:
                return None
            given[param] = True
            continue
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            inline = rest.pop(0)
        value = _converted(flag, inline)
        if value is None:
            return None
        given[param] = [*given.get(param, []), value] if flag.kind == "many" else value
    if "path" not in given:
        return None
    for param, flag in flags.items():
        if param not in given:
            given[param] = _converted(flag, os.environ.get(flag.envvar) or "") if flag.envvar else flag.default
    return given


def _converted(flag: Flag, text: str) -> Any:
    """The value typer makes of `text` for `flag`, or None where typer would complain (or decide otherwise)."""
    if flag.kind == "int":
        try:
            number = int(text)
        except ValueError:
            return None
        return number if flag.minimum is None or number >= flag.minimum else None
    if flag.kind == "env":
        return EnvChoice(text) if text in EnvChoice.__members__ else None
    if flag.kind == "path":
        return Path(text) if text else None
    return text
