"""Lint of a repo's item files: flow, schedule and trigger YAML checked as `wmill lint` checks them
(the same findings, as WAC201), plus what would stop a push: paths Windmill refuses (WAC203),
invalid cron expressions (WAC202) and missing `!inline` files of a flow (WAC204)."""

from __future__ import annotations

import re
from pathlib import Path

from wac.parser import ERROR, Finding

from .files import UnreadableFile, read_text
from .kinds import KINDS
from .kinds.cron import cron_problem
from .kinds.flow_modules import inline_files
from .kinds.flow_shape import FLOW
from .kinds.paths import DOTTED, FolderSuffixes, item_of, kind_of
from .kinds.schedule import SHAPE as SCHEDULE
from .kinds.shape import findings as shape_findings
from .kinds.trigger import SHAPES as TRIGGERS
from .kinds.windmill_path import item_path_problem
from .metadata.yaml_load import YAMLError, describe
from .metadata.yaml_load import load as load_yaml

_FLOW_FILE = re.compile(r"(^|/)flow\.ya?ml$", re.IGNORECASE)
_NAMED_ITEM_SUFFIXES = (".resource.yaml", ".resource.json", ".variable.yaml", ".resource-type.yaml",
                        "folder.meta.yaml", "_native_trigger.yaml")
_TRIGGER_FILE = re.compile(r"\.(" + "|".join(TRIGGERS) + r")_trigger\.ya?ml$", re.IGNORECASE)


def is_item_file(path: str) -> bool:
    """A file `wmill lint` validates: a flow's `flow.yaml`, a schedule, a trigger."""
    return bool(_FLOW_FILE.search(path) or path.lower().endswith((".schedule.yaml", ".schedule.yml"))
                or _TRIGGER_FILE.search(path))


def is_named_item_file(path: str) -> bool:
    """A file of an item whose only check is its path or name (resource, variable, resource type, folder,
    native trigger: `wmill lint` skips those)."""
    return path.endswith(_NAMED_ITEM_SUFFIXES)


def lint_item_file(file: Path, shown: str) -> list[Finding]:
    """Findings of one flow, schedule or trigger file (`shown`: its path as printed)."""
    try:
        text = read_text(file)
    except UnreadableFile as exc:
        return [_finding(shown, 1, 1, "WAC002", "unreadable-file", str(exc), "save the file as UTF-8 text")]
    target = _target(shown)
    try:
        value = load_yaml(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return [_finding(shown, line, column, "WAC201", f"invalid-{target}", describe(exc),
                         "fix the YAML syntax; `wmill lint` reports the same file")]
    shape = FLOW if target == "flow" else SCHEDULE if target == "schedule" else TRIGGERS[target[: -len("_trigger")]]
    found = [_finding(shown, *_position(text, message), "WAC201", f"invalid-{target}", message,
                      f"make the {target.replace('_', ' ')} match Windmill's spec; `wmill lint` reports it too")
             for message in shape_findings(shape, value)]
    if target == "schedule" and isinstance(value, dict) and isinstance(value.get("schedule"), str):
        problem = cron_problem(value["schedule"], value.get("cron_version"))
        if problem:
            found.append(_finding(shown, *_key_position(text, "schedule"), "WAC202", "invalid-cron",
                                  f"cron expression {value['schedule']!r}: {problem}",
                                  "Windmill refuses it; e.g. '0 0 3 * * *' runs daily at 03:00 (seconds first)"))
    if target == "flow" and isinstance(value, dict) and isinstance(value.get("value"), dict):
        for step, name, _ in inline_files(value["value"]):
            if name and not (file.parent / name).is_file():
                found.append(_finding(shown, *_key_position(text, f"!inline {name}"), "WAC204",
                                      "missing-inline-file", f"step {step!r} names {name}, which does not exist",
                                      f"restore {name} beside flow.yaml, or fix the step's `!inline` reference"))
    return found


def path_findings(relative: str, shown: str, suffixes: FolderSuffixes = DOTTED) -> list[Finding]:
    """WAC203 when the Windmill path of an item's file (relative to the repo root) is one Windmill refuses."""
    kind = kind_of(relative, suffixes)
    if kind not in ("script", *KINDS) or (kind != "resource-type" and not relative.startswith(("f/", "u/", "g/"))):
        return []
    item = item_of(relative, suffixes)
    remote = item if kind == "script" else KINDS[kind].remote_path(item)
    problem = item_path_problem(kind, remote, item)
    if not problem:
        return []
    return [_finding(shown, 1, 1, "WAC203", "path-refused", f"Windmill refuses the path {remote!r}: {problem}",
                     "rename the file or folder; a push of it would be refused")]


def _target(shown: str) -> str:
    if _FLOW_FILE.search(shown):
        return "flow"
    match = _TRIGGER_FILE.search(shown)
    return f"{match.group(1).lower()}_trigger" if match else "schedule"


def _position(text: str, message: str) -> tuple[int, int]:
    """Where the finding's JSON pointer (`/value/modules/0/...`) points in the YAML, best effort."""
    pointer = message.split(" ", 1)[0]
    return _pointer_position(text, [p for p in pointer.split("/") if p])


def _pointer_position(text: str, parts: list[str]) -> tuple[int, int]:
    import yaml

    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return 1, 1
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            found = node.value[int(part)]
        else:
            found = None
        if found is None:
            break
        node = found
    mark = node.start_mark if node is not None else None
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _key_position(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        column = line.find(needle)
        if column != -1:
            return number, column + 1
    return 1, 1


def _finding(path: str, line: int, column: int, code: str, rule: str, message: str, hint: str) -> Finding:
    return Finding(path, line, column, code, rule, ERROR, message, hint)
