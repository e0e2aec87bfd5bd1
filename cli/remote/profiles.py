"""Workspace profiles in the files the `wmill` CLI keeps: `remotes.ndjson` and `activeWorkspace`.

Both live in `<base>/windmill/`, base = `--config-dir` > `$WMILL_CONFIG_DIR` >
the OS config folder, so a profile added by either tool works in both.
Files are written atomically and readable by their owner only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from ..errors import InvalidInput
from ..files import write_atomic

PROFILES_FILE = "remotes.ndjson"
ACTIVE_FILE = "activeWorkspace"
DEFAULT_PORTS = {"http": 80, "https": 443}


class Profile(NamedTuple):
    name: str
    remote: str  # normalised, ends in `/`
    workspace_id: str
    token: str

    def as_json(self) -> str:
        return json.dumps({"name": self.name, "remote": self.remote, "workspaceId": self.workspace_id,
                           "token": self.token}, separators=(",", ":"), ensure_ascii=False)


def config_dir(explicit: Path | None = None) -> Path:
    """`<base>/windmill`, where base is chosen as the `wmill` CLI chooses it."""
    base = explicit or os.environ.get("WMILL_CONFIG_DIR") or _os_config_dir() or "/tmp"
    return Path(base) / "windmill"


def _os_config_dir() -> str | None:
    if sys.platform == "darwin":
        return os.environ.get("HOME") and f"{os.environ['HOME']}/Library/Preferences"
    if sys.platform == "win32":
        return os.environ.get("APPDATA")
    return os.environ.get("XDG_CONFIG_HOME") or (os.environ.get("HOME") and f"{os.environ['HOME']}/.config")


def normalize_remote(url: str) -> str:
    """The remote as `new URL(url).toString()` writes it: lowercase scheme and host, `/` path at least."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidInput(f"invalid remote URL {url!r}", "give the instance's address, e.g. http://localhost:8000")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"invalid port in remote URL {url!r}", "e.g. http://localhost:8000") from None
    scheme = parts.scheme.lower()
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class ProfileStore:
    """The profiles of one config folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def all(self) -> list[Profile]:
        try:
            text = (self.folder / PROFILES_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InvalidInput(f"cannot read {self.folder / PROFILES_FILE}: {exc.strerror}",
                               "check the file's permissions") from None
        profiles = []
        for number, line in enumerate(text.splitlines(), 1):
            if len(line.strip()) <= 2:
                continue
            try:
                data = json.loads(line)
                profiles.append(Profile(data["name"], data["remote"], data["workspaceId"], data.get("token", "")))
            except (ValueError, KeyError, TypeError):
                raise InvalidInput(f"{self.folder / PROFILES_FILE}:{number}: not a workspace profile",
                                   "fix or delete that line (one JSON object per profile)") from None
        return profiles

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.all() if p.name == name), None)

    def active_name(self) -> str | None:
        try:
            return (self.folder / ACTIVE_FILE).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def active(self) -> Profile | None:
        name = self.active_name()
        return self.get(name) if name else None

    def add(self, profile: Profile, *, force: bool = False) -> None:
        """Add or replace `profile` and make it active; the same (remote, id) under another name needs force."""
        check_profile_name(profile.name)
        others = [p for p in self.all() if p.name != profile.name]
        clash = next((p for p in others if (p.remote, p.workspace_id) == (profile.remote, profile.workspace_id)), None)
        if clash and not force:
            raise InvalidInput(f"{profile.workspace_id} on {profile.remote} already has the profile {clash.name!r}",
                               f"use `--force` to replace it, or `wac workspace switch {clash.name}`")
        kept = [p for p in others if p is not clash]
        self._write(kept + [profile])
        self.switch(profile.name)

    def remove(self, name: str) -> None:
        profiles = self.all()
        if not any(p.name == name for p in profiles):
            raise self.unknown(name)
        self._write([p for p in profiles if p.name != name])
        if self.active_name() == name:
            (self.folder / ACTIVE_FILE).unlink(missing_ok=True)

    def switch(self, name: str) -> None:
        if self.get(name) is None:
            raise self.unknown(name)
        self._write_file(ACTIVE_FILE, name)

    def unknown(self, name: str) -> InvalidInput:
        names = ", ".join(p.name for p in self.all()) or "none yet"
        return InvalidInput(f"no workspace profile named {name!r} (profiles: {names})",
                            "add one with `wac workspace add NAME WORKSPACE_ID URL --token T`")

    def _write(self, profiles: list[Profile]) -> None:
        self._write_file(PROFILES_FILE, "".join(p.as_json() + "\n" for p in profiles))

    def _write_file(self, name: str, text: str) -> None:
        path = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(path, text, mode=0o600)
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror}",
                               "pass --config-dir to use another folder") from None


def check_profile_name(name: str) -> str:
    """A profile name wac and wmill can both keep: not empty, no separators, not `.`/`..`, printable."""
    problem = None
    if not name.strip():
        problem = "it is empty"
    elif any(ch in name for ch in "/\\") or name in (".", ".."):
        problem = "it contains a path separator or is . or .."
    elif not name.isprintable() or name != name.strip():
        problem = "it has control characters or leading/trailing spaces"
    if problem:
        raise InvalidInput(f"invalid profile name {name!r}: {problem}",
                           "use a short name such as prod or local (letters, digits, - and _)")
    return name
