"""A flow as it runs: its value with every `!inline` file read back, found by folder or Windmill path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidInput, PathNotFound
from ..files import UnreadableFile, read_or_none, read_text
from ..kinds.flow_modules import replace
from ..project import FLOW_SUFFIXES as SUFFIXES
from ..yaml_cache import InvalidYaml, load_cached



@dataclass
class Flow:
    path: str  # its Windmill path, e.g. f/etl/daily
    folder: Path
    value: dict[str, Any]  # OpenFlow: modules, failure_module, preprocessor_module...
    schema: dict[str, Any] | None
    summary: str = ""


def load_folder(folder: Path, root: Path) -> Flow:
    """The flow in `folder` (`f/x/y.flow`, or its `flow.yaml`); one clear error for each way it can be wrong."""
    if folder.name in ("flow.yaml", "flow.json"):
        folder = folder.parent
    if not folder.exists():
        raise PathNotFound(str(folder))
    definition = folder / "flow.yaml"
    if not folder.is_dir() or not definition.is_file():
        raise InvalidInput(f"{folder} is not a flow folder (no flow.yaml in it)",
                           "give a flow's folder, e.g. f/etl/daily.flow")
    try:
        data = load_cached(read_text(definition), definition, root)
    except UnreadableFile as exc:
        raise InvalidInput(f"{definition}: {exc}", "save it as UTF-8") from None
    except InvalidYaml as exc:
        raise InvalidInput(f"{definition}: invalid YAML: {exc}", "fix the file") from None
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, dict) or not isinstance(value.get("modules"), list):
        raise InvalidInput(f"{definition}: `value.modules` must be a list of steps", "fix the file")
    missing = replace(value, lambda name: read_or_none(folder / name))
    if missing:
        raise InvalidInput(f"{definition}: missing inline script file(s): {', '.join(missing)}",
                           "restore them or remove their `!inline` references")
    return Flow(windmill_path(folder, root), folder, value, data.get("schema"), data.get("summary") or "")


def find(path: str, root: Path) -> Flow:
    """A repo's flow by Windmill path (`f/x/y`), in either folder naming."""
    for suffix in SUFFIXES:
        folder = root / f"{path}{suffix}"
        if folder.is_dir():
            return load_folder(folder, root)
    raise InvalidInput(f"flow {path!r} is not in this repo (looked for {path}.flow/)",
                       "a local flow run uses the repo's own flows")


def windmill_path(folder: Path, root: Path) -> str:
    try:
        relative = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = folder.name
    for suffix in SUFFIXES:
        if relative.endswith(suffix):
            return relative[: -len(suffix)]
    return relative
