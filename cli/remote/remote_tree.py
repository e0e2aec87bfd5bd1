"""The workspace archive rendered as the files a pull writes (ZipFSElement of the `wmill` CLI).

Per script: the content file, `.script.yaml` (the `.script.json` as YAML,
its lock moved to an `!inline` file), the lock, and for scripts with
modules their `__mod/` files. Scripts with modules come out in folder
layout, as `wmill` writes them, unless the repo keeps that script flat: then
flat, so a flat copy does not churn on every push. Every other kind renders
as its kind says (`wac.cli.kinds`); the files then pass the same selection
as the repo's (wmill.yaml's globs and switches).
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
from ..kinds import ItemError, RenderContext, archived_kind
from ..kinds.scope import in_sync
from ..metadata.yaml_emit import dump
from .changes import comparable, normalized
from .layout import MOD, is_content, item_of, kind_of, synced

ROOTS = ("f/", "u/", "g/")

INLINE = "!inline "


@dataclass
class RemoteScript:
    path: str
    content: str
    content_suffix: str  # e.g. `.py`
    metadata: dict[str, Any]  # the archive's `.script.json`


@dataclass
class RemoteTree:
    """The files a pull would write: compared by value, their YAML text made only when asked for."""

    values: dict[str, Any] = field(default_factory=dict)  # path -> what the diff compares
    scripts: dict[str, RemoteScript] = field(default_factory=dict)
    archived: dict[str, dict[str, Any]] = field(default_factory=dict)  # item -> its archive JSON (other kinds)
    other_kinds: Counter = field(default_factory=Counter)
    _texts: dict[str, str] = field(default_factory=dict)
    _yaml: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> data to write as YAML

    def text(self, path: str) -> str:
        if path not in self._texts:
            self._texts[path] = dump(self._yaml[path])
        return self._texts[path]

    def add_text(self, path: str, text: str) -> None:
        self._texts[path] = text
        self.values[path] = comparable(path, text) if path.endswith(".yaml") else text

    def add_yaml(self, path: str, data: dict[str, Any]) -> None:
        self._yaml[path] = data
        self.values[path] = normalized(path, data)


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


def render(entries: dict[str, str], flat_locally: set[str], ctx: RenderContext) -> RemoteTree:
    """The archive as local files; `flat_locally`: module scripts the repo keeps in flat layout."""
    tree = RemoteTree()
    metadata = {name[: -len(".script.json")]: name for name in entries if name.endswith(".script.json")}
    contents = _content_files(entries, metadata)
    content_names = {base + suffix for base, (suffix, _) in contents.items()}
    for name, text in entries.items():
        if name.endswith(".script.json"):
            base = name[: -len(".script.json")]
            if base in contents:
                suffix, content = contents[base]
                script = RemoteScript(base, content, suffix, _json(name, text))
                tree.scripts[base] = script
                add_script(tree, script, folder=base not in flat_locally)
            continue
        if name in content_names:
            continue
        found = archived_kind(name)
        if found is None:
            kind = kind_of(name, ctx.config.suffixes) or _unsynced_kind(name)
            if kind and not synced(kind) and name.startswith(ROOTS):
                tree.other_kinds[kind] += 1
            continue
        kind, remote_path = found
        value = text if kind.raw_archive else _json(name, text)
        try:
            files = kind.render(value, remote_path, ctx)
        except ItemError as exc:
            raise Failed(f"{name}: {exc}", "fix the item in the workspace, or exclude it in wmill.yaml") from None
        for path, content in files.items():
            if isinstance(content, dict):
                tree.add_yaml(path, content)
            else:
                tree.add_text(path, content)
        tree.archived[item_of(next(iter(files)), ctx.config.suffixes)] = value
    _select(tree, ctx)
    return tree


def render_context(config, file_types: dict[str, Any], flow_names) -> RenderContext:
    """What rendering needs: the config, the file resource types (`file_resource_type_to_file_ext_map`'s
    answer: type -> extension, or `{format_extension, is_fileset}`), a local flow's inline file names."""
    extensions, filesets = {}, set()
    for kind, spec in file_types.items():
        if isinstance(spec, str):
            extensions[kind] = spec
        elif isinstance(spec, dict):
            if spec.get("format_extension"):
                extensions[kind] = spec["format_extension"]
            if spec.get("is_fileset"):
                filesets.add(kind)
    return RenderContext(config, extensions, frozenset(filesets), flow_names)


def _unsynced_kind(name: str) -> str | None:
    """Kinds whose archive entry wac counts without rendering (apps, raw apps, users, groups...)."""
    for suffix, kind in ((".app.json", "app"), (".raw_app.json", "raw_app"), (".user.json", "user"),
                         (".group.json", "group")):
        if name.endswith(suffix):
            return kind
    return None


def _select(tree: RemoteTree, ctx: RenderContext) -> None:
    """Keep the files a sync compares (as for the repo: globs, switches, secrets)."""
    for path in list(tree.values):
        keep = in_sync(path, ctx.config)
        value = tree.values[path]
        if keep and ctx.config.skip_secrets and path.endswith(".variable.yaml") and isinstance(value, dict):
            keep = not value.get("is_secret")
        if not keep:
            del tree.values[path]


def add_script(tree: RemoteTree, script: RemoteScript, folder: bool) -> None:
    """The files of one script; `folder`: a script with modules in folder layout."""
    meta = dict(script.metadata)
    modules = meta.pop("modules", None) or {}
    folder = folder and bool(modules)
    base = script.path
    prefix = f"{base}{MOD}script" if folder else f"{base}.script"
    lock = meta.get("lock")
    if lock and meta.get("codebase") is None:
        meta["lock"] = f"{INLINE}{prefix}.lock"
        tree.add_text(f"{prefix}.lock", lock)
    elif lock != "":
        meta.pop("lock", None)
    tree.add_text(f"{base}{MOD}script{script.content_suffix}" if folder else f"{base}{script.content_suffix}",
                  script.content)
    tree.add_yaml(f"{prefix}.yaml", meta)
    for rel, module in modules.items():
        tree.add_text(f"{base}{MOD}{rel}", module.get("content", ""))
        if module.get("lock"):
            tree.add_text(f"{base}{MOD}{rel.rsplit('.', 1)[0]}.lock", module["lock"])


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


def _json(name: str, text: str) -> Any:
    """An archive entry's JSON: an object (the workspace's key alone is a string)."""
    try:
        value = json.loads(text)
    except ValueError:
        raise Failed(f"the workspace archive has an invalid {name}", "report it to the server's admin") from None
    if not isinstance(value, (dict, str)):
        raise Failed(f"the workspace archive has an invalid {name}", "report it to the server's admin")
    return value
