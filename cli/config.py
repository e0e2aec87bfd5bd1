"""`wmill.yaml`: which files of the repo are Windmill items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


from .errors import InvalidInput
from .files import UnreadableFile, read_text
from .metadata.yaml_load import YAMLError, describe
from .metadata.yaml_load import load as load_yaml

DEFAULT_INCLUDES = ("f/**",)


@dataclass
class SyncConfig:
    """The include/exclude globs (minimatch syntax) that select items."""

    includes: list[str] = field(default_factory=lambda: list(DEFAULT_INCLUDES))
    excludes: list[str] = field(default_factory=list)
    default_ts: str = "bun"  # the language of a plain `.ts` script

    def selects(self, relative: str) -> bool:
        return any(glob_match(g, relative) for g in self.includes) and not any(
            glob_match(g, relative) for g in self.excludes
        )


def load_config(root: Path, includes: list[str] | None = None, excludes: list[str] | None = None) -> SyncConfig:
    """`wmill.yaml` in `root` (defaults when absent), then `-i/-e` globs (comma-separated) over it."""
    config = _read_config(root / "wmill.yaml")
    if includes:
        config.includes = [g for value in includes for g in value.split(",") if g]
    if excludes:
        config.excludes = [g for value in excludes for g in value.split(",") if g]
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
    for key in ("includes", "excludes"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"wmill.yaml: `{key}` must be a list of glob strings",
                               f'e.g. {key}: ["f/**"]')
        setattr(config, key, value)
    if data.get("defaultTs") in ("bun", "deno"):
        config.default_ts = data["defaultTs"]
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
