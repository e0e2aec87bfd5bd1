"""`wmill.yaml`: which files of the repo are Windmill items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


from .errors import InvalidInput
from .kinds.paths import DOTTED, NON_DOTTED, FolderSuffixes
from .files import UnreadableFile, read_text
from .metadata.yaml_load import YAMLError, describe
from .metadata.yaml_load import load as load_yaml



# wmill.yaml's boolean switches, by key, as attributes (all off unless set: wmill applies no defaults).
SWITCHES = {
    "skipVariables": "skip_variables", "skipResources": "skip_resources",
    "skipResourceTypes": "skip_resource_types", "skipSecrets": "skip_secrets", "skipScripts": "skip_scripts",
    "skipFlows": "skip_flows", "skipApps": "skip_apps", "skipFolders": "skip_folders",
    "skipWorkspaceDependencies": "skip_workspace_dependencies", "includeSchedules": "include_schedules",
    "includeTriggers": "include_triggers", "includeUsers": "include_users", "includeGroups": "include_groups",
    "includeSettings": "include_settings", "includeKey": "include_key", "nonDottedPaths": "non_dotted_paths",
}


@dataclass
class SyncConfig:
    """`wmill.yaml`: the globs (minimatch syntax) that select items, and the sync switches."""

    includes: list[str] = field(default_factory=list)  # none: every Windmill file (as wmill without `includes`)
    excludes: list[str] = field(default_factory=list)
    extra_includes: list[str] = field(default_factory=list)
    default_ts: str = "bun"  # the language of a plain `.ts` script
    sync_behavior: int = 0  # `syncBehavior: v1` strips owner identities on pull
    skip_variables: bool = False
    skip_resources: bool = False
    skip_resource_types: bool = False
    skip_secrets: bool = False
    skip_scripts: bool = False
    skip_flows: bool = False
    skip_apps: bool = False
    skip_folders: bool = False
    skip_workspace_dependencies: bool = False
    include_schedules: bool = False
    include_triggers: bool = False
    include_users: bool = False
    include_groups: bool = False
    include_settings: bool = False
    include_key: bool = False
    non_dotted_paths: bool = False

    def selects(self, relative: str) -> bool:
        """The globs' verdict on a file (wmill's whitelist: includes, excludes, extraIncludes)."""
        return ((not self.includes or any(glob_match(g, relative) for g in self.includes))
                and not any(glob_match(g, relative) for g in self.excludes)
                and (not self.extra_includes or any(glob_match(g, relative) for g in self.extra_includes)))

    @property
    def suffixes(self) -> FolderSuffixes:
        return NON_DOTTED if self.non_dotted_paths else DOTTED


def load_config(root: Path, includes: list[str] | None = None, excludes: list[str] | None = None,
                switches: dict[str, bool] | None = None) -> SyncConfig:
    """`wmill.yaml` in `root` (defaults when absent), then `-i/-e` globs (comma-separated) and
    `--skip-*`/`--include-*` flags (`switches`: attribute -> value) over it."""
    config = _read_config(root / "wmill.yaml")
    if includes:
        config.includes = [g for value in includes for g in value.split(",") if g]
    if excludes:
        config.excludes = [g for value in excludes for g in value.split(",") if g]
    for name, value in (switches or {}).items():
        setattr(config, name, value)
    return config


def _read_config(path: Path) -> SyncConfig:
    """Bad files raise InvalidInput."""
    if not path.exists():
        return SyncConfig()
    try:
        data = load_yaml(read_text(path)) or {}
    except (YAMLError, UnreadableFile) as exc:
        reason = describe(exc) if isinstance(exc, YAMLError) else str(exc)
        raise InvalidInput(f"wmill.yaml: cannot be read: {reason}",
                           "fix the YAML syntax of wmill.yaml") from None
    if not isinstance(data, dict):
        raise InvalidInput("wmill.yaml: expected a mapping at the top level", "see the wmill.yaml docs")
    config = SyncConfig()
    for key, attribute in (("includes", "includes"), ("excludes", "excludes"), ("extraIncludes", "extra_includes")):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"wmill.yaml: `{key}` must be a list of glob strings",
                               f'e.g. {key}: ["f/**"]')
        setattr(config, attribute, value)
    for key, attribute in SWITCHES.items():
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            raise InvalidInput(f"wmill.yaml: `{key}` must be true or false, not {value!r}", f"e.g. {key}: true")
        setattr(config, attribute, bool(value))
    if data.get("defaultTs") in ("bun", "deno"):
        config.default_ts = data["defaultTs"]
    behavior = re.fullmatch(r"v(\d+)", str(data.get("syncBehavior") or ""))
    config.sync_behavior = int(behavior.group(1)) if behavior else 0
    return config


def glob_match(pattern: str, path: str) -> bool:
    """minimatch-style match: `*` stays within a folder, `**` crosses folders."""
    return _compile(pattern).fullmatch(path) is not None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    pattern = pattern[2:] if pattern.startswith("./") else pattern
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))
