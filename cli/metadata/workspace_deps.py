"""Workspace dependencies (`dependencies/requirements.in`, `package.json`...) as wmill folds them into the
hashes a pull records: each pulled script (and flow) is hashed with the dependency files of its language
that apply to it, as JSON before its text. A script's annotation (`# requirements: a, b` or
`# extra_requirements: a`) names the files it takes; without one it takes its language's default file.

Only a pull does this (wmill's generate-metadata and rehash hash with no dependencies), and of the
files, only those whose wmill-lock.yaml entry is not up to date (wmill's legacy behaviour).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..files import UnreadableFile, read_text
from ..kinds.workspace_dependencies import language_and_name
from .hashing import sha256_hex
from .lockfile import WmillLock

FOLDER = "dependencies"
# language -> (comment, keyword, the form of an inline line when the language has one)
_ANNOTATIONS = {"python3": ("#", "requirements", re.compile(r"^#\s?(\S+)\s*$")), "bun": ("//", "package_json", None),
                "nativets": ("//", "package_json", None), "go": ("//", "go_mod", None),
                "php": ("//", "composer_json", None), "powershell": ("#", "modules_json", None)}


def read_raw(root: Path, lock: WmillLock) -> dict[str, str]:
    """`dependencies/<file>` -> text, for the files a pull hashes with (their lock entry stale or missing)."""
    folder = root / FOLDER
    found: dict[str, str] = {}
    try:
        entries = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return found
    for path in entries:
        relative = f"{FOLDER}/{path.name}"
        if language_and_name(path.name) is None:
            continue
        try:
            content = read_text(path)
        except UnreadableFile:
            continue
        if lock.get(relative) != sha256_hex(content + relative):
            found[relative] = content
    return found


def applying(raw: dict[str, str], text: str, language: str) -> dict[str, str]:
    """The dependency files of `raw` a script of `language` with source `text` takes."""
    wanted = _annotated(text, language)
    found = {}
    for path, content in raw.items():
        which = language_and_name(path.removeprefix(f"{FOLDER}/"))
        if which is None or which[0] != language:
            continue
        name = which[1]
        if (wanted is not None and (name or "default") in wanted) or (wanted is None and name is None):
            found[path] = content
    return found


def as_json(deps: dict[str, str]) -> str:
    """JSON.stringify of the dependency map, as the hash takes it."""
    return json.dumps(deps, separators=(",", ":"), ensure_ascii=False)


def _annotated(text: str, language: str) -> list[str] | None:
    """The dependency files an annotation names (`# requirements: a, b`), or None without one."""
    config = _ANNOTATIONS.get(language)
    if config is None:
        return None
    comment, keyword = config[0], config[1]
    markers = (f"extra_{keyword}:", f"extra-{keyword}:", f"{keyword}:")
    for line in text.split("\n"):
        if not line.startswith(comment):
            continue
        body = line[len(comment):].lstrip()
        marker = next((m for m in markers if body.startswith(m)), None)
        if marker is not None:
            unparsed = line.replace(marker, "").replace(comment, "")
            return [part.strip() for part in unparsed.split(",") if part.strip()]
    return None
