"""Flows and apps as generate-metadata sees them: a folder, its script files' hashes, its inline scripts.

A flow folder (`f/x/y.flow/`, or `__flow/`) holds `flow.yaml` and one file per inline script;
an app folder `app.yaml` (raw apps `raw_app.yaml` and a `backend/` folder). The recorded hashes
(`<folder>+<file>` and `<folder>+__flow_hash` / `__app_hash`) cover the script files only.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..files import UnreadableFile, read_or_none, read_text
from ..kinds.flow_modules import INLINE, PathAssigner, extract
from ..kinds.paths import CONTENT_EXTENSIONS, DOTTED, NON_DOTTED
from .hashing import NO_DEPS, sha256_hex
from .lockfile import SEPARATOR, WmillLock
from .yaml_load import YAMLError, describe
from .yaml_load import load as load_yaml

FLOW_HASH = "__flow_hash"
APP_HASH = "__app_hash"
RAW_APP_BACKEND = "backend"


@dataclass
class FolderItem:
    """A flow, app or raw app folder of the repo."""

    root: Path
    kind: str  # flow, app or raw_app
    folder: str  # relative to the root, e.g. f/x/y.flow

    @property
    def local(self) -> str:
        return self.folder

    @property
    def remote(self) -> str:
        for suffixes in (DOTTED, NON_DOTTED):
            suffix = suffixes.of_kind(self.kind)
            if self.folder.endswith(suffix):
                return self.folder[: -len(suffix)]
        return self.folder

    @property
    def listed_kind(self) -> str:
        """How the plan lists it: raw apps are apps."""
        return "app" if self.kind == "raw_app" else self.kind

    @property
    def definition(self) -> str:
        return {"flow": "flow.yaml", "app": "app.yaml", "raw_app": "raw_app.yaml"}[self.kind]

    @property
    def top_key(self) -> str:
        return FLOW_HASH if self.kind == "flow" else APP_HASH

    @property
    def hashed_folder(self) -> Path:
        """Where the hashed script files are: the folder, or a raw app's `backend/`."""
        base = self.root / self.folder
        return base / RAW_APP_BACKEND if self.kind == "raw_app" else base


@dataclass
class FolderState:
    """A folder item's files, read once per run."""

    item: FolderItem
    definition: dict[str, Any] | None
    files: dict[str, str]  # hashed script files: name -> text
    hashes: dict[str, str]  # `<folder>+<file>` and the top hash
    error: str | None = None
    inline: list[tuple[str, str, str]] = field(default_factory=list)  # (tree path, language, text)


def folder_items(root: Path, files: list[str]) -> list[FolderItem]:
    """Flows, then apps (raw apps among them), in wmill's walk order (`files`: the repo walk)."""
    flows = [FolderItem(root, "flow", path.rsplit("/", 1)[0]) for path in files
             if path.endswith("/flow.yaml") and "/" in path]
    apps = [FolderItem(root, "raw_app" if path.endswith("/raw_app.yaml") else "app", path.rsplit("/", 1)[0])
            for path in files if path.endswith(("/app.yaml", "/raw_app.yaml"))]
    return flows + apps


def read_folder_state(item: FolderItem, default_ts: str = "bun") -> FolderState:
    files = hashed_files(item)
    hashes = folder_hashes(item.folder, item.top_key, files)
    try:
        definition = load_yaml(read_text(item.root / item.folder / item.definition))
    except (UnreadableFile, YAMLError) as exc:
        reason = describe(exc) if isinstance(exc, YAMLError) else str(exc)
        return FolderState(item, None, files, hashes, error=f"{item.folder}/{item.definition}: {reason}")
    if not isinstance(definition, dict):
        return FolderState(item, None, files, hashes,
                           error=f"{item.folder}/{item.definition}: expected a mapping at the top level")
    state = FolderState(item, definition, files, hashes)
    state.inline = (_flow_inline(state, default_ts) if item.kind == "flow" else _app_inline(state))
    return state


def _flow_inline(state: FolderState, default_ts: str) -> list[tuple[str, str, str]]:
    """The tree nodes of a flow's inline steps: named as the extractor would name them (not by their
    `!inline` file), holding the text of the file they reference; unreadable ones are left out."""
    value = state.definition.get("value") if state.definition else None
    modules = copy.deepcopy(value.get("modules")) if isinstance(value, dict) else None
    if not isinstance(modules, list):
        return []
    found = []
    for script in extract(modules, PathAssigner(default_ts)):
        if script.is_lock:
            continue
        text = script.content
        if text.startswith(INLINE):
            text = read_or_none(state.item.root / state.item.folder / text[len(INLINE):])
            if text is None:
                continue
        stem = script.path[: script.path.rfind(".")] if "." in script.path else script.path
        found.append((f"{state.item.folder}/{stem}", script.language, text))
    return found


def _app_inline(state: FolderState) -> list[tuple[str, str, str]]:
    """The tree nodes of an app's inline scripts, named by where they sit in the app's value."""
    if state.item.kind == "raw_app":
        return []  # a raw app's runnables live in backend/ files; their imports are not tracked
    found = []
    for where, script in app_inline_scripts(state.definition.get("value")):
        text, language = script.get("content"), script.get("language")
        if not text or not language or not isinstance(text, str):
            continue
        if text.startswith(INLINE):
            text = read_or_none(state.item.root / state.item.folder / text[len(INLINE):])
            if text is None:
                continue
        found.append((f"{state.item.folder}/{'/'.join(where)}", language, text))
    return found


def app_inline_scripts(value: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """(location, inlineScript) of every inline script of an app value, in wmill's key order."""
    from .yaml_emit import sort_key

    if isinstance(value, list):
        for index, entry in enumerate(value):
            yield from app_inline_scripts(entry, (*where, f"[{index}]"))
    elif isinstance(value, dict):
        for key in sorted(value, key=lambda k: sort_key(str(k))):
            if key == "inlineScript" and isinstance(value[key], dict):
                yield where, value[key]
            else:
                yield from app_inline_scripts(value[key], (*where, str(key)))


def hashed_files(item: FolderItem) -> dict[str, str]:
    """The script files directly in the hashed folder (apps: but their `app.yaml`), by name."""
    folder = item.hashed_folder
    found: dict[str, str] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return found
    for path in entries:
        if item.kind == "app" and path.name.endswith(("app.yaml", "app.json")):
            continue
        if path.is_file() and path.name.endswith(CONTENT_EXTENSIONS):
            try:
                found[path.name] = read_text(path)
            except UnreadableFile:
                continue
    return found


def folder_hashes(folder: str, top_key: str, files: dict[str, str], deps: str = NO_DEPS) -> dict[str, str]:
    """`<folder>+<file>` per script file, then `<folder>+<top>` over them (JS key order, compact JSON)."""
    per_file = {name: sha256_hex(text + deps) for name, text in files.items()}
    ordered = dict(sorted(per_file.items(), key=lambda kv: kv[0].encode("utf-16-be")))
    top = sha256_hex(json.dumps(ordered, separators=(",", ":"), ensure_ascii=False))
    hashes = {f"{folder}{SEPARATOR}{name}": digest for name, digest in ordered.items()}
    hashes[f"{folder}{SEPARATOR}{top_key}"] = top
    return hashes


def directly_stale(state: FolderState, lock: WmillLock) -> bool:
    """wmill's rule: fresh when the top hash matches, or (old lockfiles) every file's hash does."""
    top = f"{state.item.folder}{SEPARATOR}{state.item.top_key}"
    if lock.get(top) == state.hashes[top]:
        return False
    entries = [key for key in state.hashes if key != top]
    return not entries or any(lock.get(key) != state.hashes[key] for key in entries)


def changed_files(state: FolderState, lock: WmillLock) -> list[str]:
    """Names of the hashed files whose recorded hash differs."""
    prefix = state.item.folder + SEPARATOR
    return [key[len(prefix):] for key, digest in state.hashes.items()
            if not key.endswith(SEPARATOR + state.item.top_key) and lock.get(key) != digest]
