"""Python environments holding exactly a lock's pins: one per lock content, made once, reused.

They live in the user cache (`$XDG_CACHE_HOME/wac/envs`), are created with uv
(pip when uv is missing) in a temporary folder and renamed into place when
complete, so a crash never leaves a half-filled environment that looks ready.
Each holds `wac-env.json` (its pins); that file's mtime is its last use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager

from .errors import Failed
from .script_pins import Resolution

ENV_FORMAT = "1"
MARKER = "wac-env.json"
STAGING_MAX_AGE = 24 * 3600  # a creation still unfinished after this was killed
PYTHON_TAG = sys.implementation.cache_tag


@dataclass(frozen=True)
class Environment:
    path: Path
    pins: list[str]
    last_used: float
    size: int

    @property
    def python(self) -> Path:
        return python_of(self.path)


def envs_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "wac" / "envs"


def python_of(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def env_key(pins: list[str]) -> str:
    material = json.dumps([ENV_FORMAT, PYTHON_TAG, sys.executable, sorted(pins, key=str.lower)])
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def ensure(pins: list[str], resolution: Resolution,
           progress: Callable[[list[str]], ContextManager[None]] = lambda pins: nullcontext()) -> Path:
    """The interpreter of the environment holding `pins`, created first (inside `progress`) if there is none."""
    env = envs_dir() / env_key(pins)
    marker = env / MARKER
    if marker.is_file():
        os.utime(marker)
        return python_of(env)
    with progress(pins):
        _create_in_place(env, pins, resolution)
    return python_of(env)


def _create_in_place(env: Path, pins: list[str], resolution: Resolution) -> None:
    env.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{env.name}-", dir=env.parent))
    try:
        _create(staging, pins, resolution)
        (staging / MARKER).write_text(json.dumps({"pins": pins, "python": sys.executable}), encoding="utf-8")
        try:
            os.rename(staging, env)
        except OSError:
            if not (env / MARKER).is_file():  # not another process finishing the same one first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _create(target: Path, pins: list[str], resolution: Resolution) -> None:
    uv = _uv()
    sources = (["--index-url", resolution.index_url] if resolution.index_url else [])
    sources += [arg for link in resolution.find_links for arg in ("--find-links", link)]
    sources += ["--no-index"] if resolution.no_index else []
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(target)],
                 [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(python_of(target)), *sources, *pins]]
    else:
        steps = [[sys.executable, "-m", "venv", "--without-pip", str(target)],
                 [sys.executable, "-m", "pip", "--python", str(python_of(target)), "install", "--quiet",
                  "--no-deps", "--disable-pip-version-check", *sources, *pins]]
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise Failed(f"cannot install the script's packages: {installer_reason(done.stderr)}",
                         "pin a version that exists, pass --find-links DIR or --index-url URL (offline: a folder "
                         "of wheels), or run in wac's own environment with --env current")


def _uv() -> str | None:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def installer_reason(stderr: str) -> str:
    """uv's or pip's reason, on one line."""
    lines = [re.sub(r"^[\s×│╰─▶]+", "", line).strip() for line in stderr.splitlines()]
    lines = [re.sub(r"^(cause|error|ERROR):\s*", "", line) for line in lines
             if line and not line.startswith(("help:", "hint:"))]
    causes = [line for line in lines if line.lower().startswith(("because", "no matching", "could not"))]
    return (causes or lines or ["the installer failed"])[-1]


def installed() -> list[Environment]:
    """Every complete environment, most recently used first."""
    found = []
    base = envs_dir()
    for env in base.iterdir() if base.is_dir() else ():
        marker = env / MARKER
        if env.name.startswith(".") or not marker.is_file():
            continue
        try:
            pins = json.loads(marker.read_text(encoding="utf-8")).get("pins", [])
            last_used = marker.stat().st_mtime
        except (OSError, ValueError):
            continue
        found.append(Environment(env, pins, last_used, _size(env)))
    return sorted(found, key=lambda e: e.last_used, reverse=True)


def remove(env: Environment) -> None:
    """Delete an environment: its marker first, so it never looks ready while half gone."""
    (env.path / MARKER).unlink(missing_ok=True)
    shutil.rmtree(env.path, ignore_errors=True)


def leftovers(older_than: float) -> list[Path]:
    """Staging folders of creations that never finished (killed), older than `older_than` seconds."""
    base = envs_dir()
    now = time.time()
    return [p for p in (base.iterdir() if base.is_dir() else ())
            if p.name.startswith(".") and now - p.stat().st_mtime > older_than]


def _size(path: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total
