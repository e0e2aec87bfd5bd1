"""Lock files resolved with pip-tools, in Windmill's lock format, cached per requirement set."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..files import CannotWrite, write_atomic
from .items import ScriptItem
from .requirements_graph import RequirementSet, module_requirements, requirements_for
from .staleness import ItemState

MANUAL_HEADER = "# workspace-dependencies-mode: manual"
CACHE_FORMAT = "1"
# Unpinned requirements may move forward: a cached resolution is reused for a day.
CACHE_TTL_SECONDS = 24 * 3600


@dataclass
class LockOutcome:
    text: str = ""
    error: str | None = None
    changes: list[str] = field(default_factory=list)


class ResolutionError(Exception):
    """pip could not resolve a requirement set; the message is pip's reason."""


class Locker:
    """Resolves requirement sets with `pip-compile`, each distinct set once."""

    def __init__(self, root: Path, texts: dict[str, str], *, index_url: str | None = None,
                 find_links: tuple[str, ...] = (), no_index: bool = False,
                 refresh: bool = False, cache_dir: Path | None = None) -> None:
        self.root = root
        self.texts = texts
        self.index_url = index_url
        self.find_links = find_links
        self.no_index = no_index
        self.refresh = refresh
        self.cache_dir = cache_dir or root / ".wac" / "cache" / "locks"
        self.python = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.resolutions = 0
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock_item(self, item: ScriptItem, state: ItemState) -> LockOutcome:
        """Write the script's lock (and its modules' locks); report version changes."""
        try:
            requirements = requirements_for(item.remote, self.texts)
            text = self.render(requirements)
        except (ResolutionError, ValueError) as exc:
            return LockOutcome(error=f"lock failed: {exc}")
        path = self.root / item.lock_local
        outcome = LockOutcome(text=text, changes=version_changes(_read(path), text))
        write_atomic(path, text)
        for rel, module_text in state.modules.items():
            module_lock = (item.module_dir / rel).with_suffix(".lock")
            try:
                rendered = self.render(module_requirements(item, rel, module_text))
            except (ResolutionError, ValueError) as exc:
                return LockOutcome(error=f"lock failed for module {rel}: {exc}")
            outcome.changes += [f"{rel}: {c}" for c in version_changes(_read(module_lock), rendered)]
            write_atomic(module_lock, rendered)
        return outcome

    def render_for(self, path: str, text: str) -> str:
        """The lock of an inline script at tree path `path` (its workspace imports are the repo's scripts)."""
        try:
            return self.render(requirements_for(path, {**self.texts, path: text}))
        except ResolutionError as exc:
            raise ValueError(str(exc)) from None

    def render(self, requirements: RequirementSet) -> str:
        """The lock text: `# py:` header (and the manual-mode line), sorted pins."""
        pins = self.resolve(requirements.packages) if requirements.packages else []
        header = [MANUAL_HEADER] if requirements.manual else []
        header.append(f"# py: {self.python}")
        return "\n".join(header + pins) + "\n"

    def resolve(self, packages: tuple[str, ...]) -> list[str]:
        key = self._cache_key(packages)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # the same set requested twice in parallel resolves once
            cached = self.cache_dir / f"{key}.json"
            if not self.refresh:
                try:
                    if time.time() - cached.stat().st_mtime < CACHE_TTL_SECONDS:
                        return json.loads(cached.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    pass
            pins = self._compile(packages)
            try:
                write_atomic(cached, json.dumps(pins))
            except CannotWrite:
                pass  # an unwritable cache only costs a resolution next time
            return pins

    def _cache_key(self, packages: tuple[str, ...]) -> str:
        material = json.dumps([CACHE_FORMAT, self.python, list(packages), self.index_url,
                               list(self.find_links), self.no_index, os.environ.get("PIP_INDEX_URL"),
                               os.environ.get("PIP_FIND_LINKS")])
        return hashlib.sha256(material.encode()).hexdigest()

    def _compile(self, packages: tuple[str, ...]) -> list[str]:
        self.resolutions += 1
        with tempfile.TemporaryDirectory(prefix="wac-lock-") as tmp:
            source = Path(tmp) / "requirements.in"
            output = Path(tmp) / "requirements.txt"
            source.write_text("\n".join(packages) + "\n", encoding="utf-8")
            command = [sys.executable, "-m", "piptools", "compile", "--quiet", "--no-header",
                       "--no-annotate", "--strip-extras", "--no-emit-index-url",
                       "--no-emit-find-links", "--no-emit-trusted-host", "--allow-unsafe",
                       "--cache-dir", str(Path(tmp) / "cache"), "--output-file", str(output), str(source)]
            if self.index_url:
                command += ["--index-url", self.index_url]
            if self.no_index:
                command.append("--no-index")
            for link in self.find_links:
                command += ["--find-links", link]
            done = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
            if done.returncode != 0:
                raise ResolutionError(_pip_reason(done.stderr))
            lines = output.read_text(encoding="utf-8").splitlines()
        pins = [line.split("#", 1)[0].strip() for line in lines]
        return sorted((p for p in pins if p and not p.startswith("-")), key=str.lower)


def version_changes(old: str, new: str) -> list[str]:
    """`requests 2.31.0 -> 2.32.0`, `+ idna 3.7`, `- chardet 5.2.0` between two locks."""
    before, after = _pins(old), _pins(new)
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            changes.append(f"+ {name} {after[name]}")
        elif name not in after:
            changes.append(f"- {name} {before[name]}")
        elif before[name] != after[name]:
            changes.append(f"{name} {before[name]} -> {after[name]}")
    return changes


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _pip_reason(stderr: str) -> str:
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    errors = [l for l in lines if l.lower().startswith(("error", "could not", "no matching"))]
    return (errors[-1] if errors else lines[-1] if lines else "pip-compile failed").removeprefix("ERROR: ")
