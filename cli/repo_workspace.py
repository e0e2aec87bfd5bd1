"""A repo's resources and variables as a local run's workspace file (`wac.sdk`'s WAC_WORKSPACE_FILE): what
`wmill.get_resource`/`get_variable`, `$res:`/`$var:` arguments and flow expressions (`resource(...)`) read in
a preview, as the workspace would serve them after a push. Resources come with their `$var:`/`$res:` values
filled in; secret variables are known but withheld (the repo holds them encrypted with the workspace's key).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .files import write_atomic
from .kinds.scope import never_walked
from .project import wac_dir

RESOURCE, VARIABLE = ".resource.yaml", ".variable.yaml"
INLINE = "!inline "


def workspace_file(root: Path, given_resources: dict[str, Any] | None = None,
                   given_variables: dict[str, str] | None = None) -> Path:
    """The file for runs of the repo at `root` (written once per content), with the resources and variables
    given for the run (`--resource`, `--var`) over the repo's, and between them those of the file the user's
    WM_MOCKED_API_FILE names (the real `wmill` package's mock, for local runs)."""
    resources, variables, secrets = _items(root)
    for layer in (_mocked_api(), {"resources": given_resources, "variables": given_variables}):
        resources.update(layer.get("resources") or {})
        variables.update(layer.get("variables") or {})
    secrets -= set(variables)
    if resources:
        from .kinds.resource import interpolated

        resources = {path: interpolated(value, resources.get, variables.get) for path, value in resources.items()}
    text = json.dumps({"resources": resources, "variables": variables, "secrets": sorted(secrets), "source": "repo"},
                      sort_keys=True, ensure_ascii=False)
    target = wac_dir(root) / "cache" / f"workspace-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    if not target.is_file():
        write_atomic(target, text)
    return target


def _mocked_api() -> dict[str, Any]:
    path = os.environ.get("WM_MOCKED_API_FILE")
    if not path:
        return {}
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"WM_MOCKED_API_FILE {path}: {getattr(exc, 'strerror', None) or exc}",
                           'it must name a JSON file like {"variables": {...}, "resources": {...}}') from None
    return found if isinstance(found, dict) else {}


def _items(root: Path) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    resources: dict[str, Any] = {}
    variables: dict[str, str] = {}
    secrets: set[str] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not never_walked(d)]
        for name in files:
            if not name.endswith((RESOURCE, VARIABLE)):
                continue
            file = Path(folder) / name
            data = _parsed(file)
            if not isinstance(data, dict):
                continue  # not an item file wmill could push either: `wac lint` and a push say why
            path = file.relative_to(root).as_posix()
            if name.endswith(RESOURCE):
                resources[path[: -len(RESOURCE)]] = _inline_content(data.get("value"), root)
            elif data.get("is_secret"):
                secrets.add(path[: -len(VARIABLE)])
            else:
                variables[path[: -len(VARIABLE)]] = str(data.get("value") or "")
    return resources, variables, secrets


def _parsed(file: Path) -> Any:
    import yaml  # a repo with no resource or variable file never loads it

    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _inline_content(value: Any, root: Path) -> Any:
    """A file resource's `content: '!inline <file>'` as the text of that file."""
    if isinstance(value, dict) and isinstance(value.get("content"), str) and value["content"].startswith(INLINE):
        source = root / value["content"][len(INLINE):]
        if source.is_file():
            return {**value, "content": source.read_text(encoding="utf-8", errors="replace")}
    return value
