"""The workspace archive rendered as the files a pull writes (ZipFSElement of the `wmill` CLI).

Per script: the content file, `.script.yaml` (the `.script.json` as YAML,
its lock moved to an `!inline` file), the lock, and for scripts with
modules their `__mod/` files. Scripts with modules come out in folder
layout, as `wmill` writes them, unless the repo keeps that script flat: then
flat, so a flat copy does not churn on every push.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..errors import Failed
from ..metadata.yaml_emit import dump
from .layout import MOD, ROOTS, is_content, other_kind

INLINE = "!inline "


@dataclass
class RemoteScript:
    path: str
    content: str
    content_suffix: str  # e.g. `.py`
    metadata: dict[str, Any]  # the archive's `.script.json`


@dataclass
class RemoteTree:
    files: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, RemoteScript] = field(default_factory=dict)
    other_kinds: Counter = field(default_factory=Counter)


def read_archive(data: bytes, kind: str) -> dict[str, str]:
    """Archive members (files only) as text."""
    try:
        if kind == "tar":
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                return {m.name.lstrip("./"): tar.extractfile(m).read().decode("utf-8")  # type: ignore[union-attr]
                        for m in tar.getmembers() if m.isfile()}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if not name.endswith("/")}
    except (tarfile.TarError, zipfile.BadZipFile, UnicodeDecodeError, OSError) as exc:
        raise Failed(f"the workspace archive cannot be read: {exc}",
                     "the server sent something that is not a workspace archive; check the URL") from None


def render(entries: dict[str, str], flat_locally: set[str]) -> RemoteTree:
    """The archive as local files; `flat_locally`: module scripts the repo keeps in flat layout."""
    tree = RemoteTree()
    metadata = {name[: -len(".script.json")]: name for name in entries if name.endswith(".script.json")}
    contents = _content_files(entries, metadata)
    content_names = {base + suffix for base, (suffix, _) in contents.items()}
    for name, text in entries.items():
        if not name.startswith(ROOTS):
            continue
        if name.endswith("/folder.meta.json"):
            tree.files[name[: -len(".json")] + ".yaml"] = dump(_json(name, text))
        elif name.endswith(".script.json"):
            base = name[: -len(".script.json")]
            if base in contents:
                suffix, content = contents[base]
                script = RemoteScript(base, content, suffix, _json(name, text))
                tree.scripts[base] = script
                tree.files.update(script_files(script, folder=base not in flat_locally))
        elif name not in content_names and other_kind(name):
            tree.other_kinds[other_kind(name)] += 1
    return tree


def script_files(script: RemoteScript, folder: bool) -> dict[str, str]:
    """The files of one script; `folder`: write a script with modules in folder layout."""
    meta = dict(script.metadata)
    modules = meta.pop("modules", None) or {}
    folder = folder and bool(modules)
    base = script.path
    lock_file = f"{base}{MOD}script.lock" if folder else f"{base}.script.lock"
    lock = meta.get("lock")
    files: dict[str, str] = {}
    if lock and meta.get("codebase") is None:
        meta["lock"] = INLINE + lock_file
        files[lock_file] = lock
    elif lock != "":
        meta.pop("lock", None)
    if folder:
        files[f"{base}{MOD}script{script.content_suffix}"] = script.content
        files[f"{base}{MOD}script.yaml"] = dump(meta)
    else:
        files[f"{base}{script.content_suffix}"] = script.content
        files[f"{base}.script.yaml"] = dump(meta)
    for rel, module in modules.items():
        files[f"{base}{MOD}{rel}"] = module.get("content", "")
        if module.get("lock"):
            files[f"{base}{MOD}{rel.rsplit('.', 1)[0]}.lock"] = module["lock"]
    return files


def _content_files(entries: dict[str, str], metadata: dict[str, str]) -> dict[str, tuple[str, str]]:
    """base path -> (suffix, text) of each script's content file."""
    found = {}
    for name, text in entries.items():
        if not is_content(name):
            continue
        base = name[: name.index(".", name.rfind("/") + 1)]
        if base in metadata:
            found[base] = (name[len(base):], text)
    return found


def _json(name: str, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Failed(f"the workspace archive has an invalid {name}", "report it to the server's admin") from None
    if not isinstance(value, dict):
        raise Failed(f"the workspace archive has an invalid {name}", "report it to the server's admin")
    return value
