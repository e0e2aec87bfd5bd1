"""Resources: `<path>.resource.yaml`; a file resource keeps its content beside it
(`<path>.resource.file.<ext>`, `value.content: '!inline ...'`), a fileset its files in `<path>.fileset/`."""

from __future__ import annotations

import copy
from typing import Any, Callable

from .base import ItemError, ItemKind, PushContext, RenderContext, Route, is_superset

INLINE = "!inline "
INLINE_FILESET = "!inline_fileset "


class ResourceKind(ItemKind):
    name = "resource"
    order = 7
    route = Route("resources")

    def render(self, archived: dict[str, Any], remote_path: str, ctx: RenderContext) -> dict[str, str | dict]:
        value = copy.deepcopy(archived)
        files: dict[str, str | dict] = {}
        kind = value.get("resource_type")
        if kind in ctx.filesets and isinstance(value.get("value"), dict):
            folder = f"{remote_path}.fileset"
            files.update({f"{folder}/{rel}": text for rel, text in value["value"].items() if isinstance(text, str)})
            value["value"] = INLINE_FILESET + folder
        elif kind in ctx.file_extensions and isinstance(value.get("value"), dict):
            name = f"{remote_path}.resource.file.{ctx.file_extensions[kind]}"
            content = value["value"].get("content")
            if isinstance(content, str):
                files[name] = content
            value["value"]["content"] = INLINE + name
        files[self.local_file(remote_path)] = value
        return files

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = self.local_value(files, self.local_file(remote_path), ctx)
        if remote is not None and is_superset(local, remote):
            return "up to date"
        body = _with_inline_content(local, files, ctx)
        if remote is not None:
            ctx.client.update_item(self.route, remote_path, body)
            return "updated"
        ctx.client.create_item(self.route, {"path": remote_path, **body})
        return "created"


def _with_inline_content(local: dict[str, Any], files: dict[str, str], ctx: PushContext) -> dict[str, Any]:
    """The resource with its file content (or fileset) read in."""
    body = copy.deepcopy(local)
    value = body.get("value")
    if isinstance(value, str) and value.startswith(INLINE_FILESET):
        folder = value[len(INLINE_FILESET):].strip() + "/"
        body["value"] = {path[len(folder):]: text for path, text in files.items() if path.startswith(folder)}
    elif isinstance(value, dict) and isinstance(value.get("content"), str) and value["content"].startswith(INLINE):
        path = value["content"][len(INLINE):].strip()
        text = files.get(path) if path in files else ctx.read(path)
        if text is None:
            raise ItemError(f"{path}: missing (the resource's content file)")
        value["content"] = text
    return body


KIND = ResourceKind()


def interpolated(value: Any, resource_of: Callable[[str], Any], variable_of: Callable[[str], Any],
                 seen: frozenset[str] = frozenset()) -> Any:
    """A resource's value with `$var:path` and `$res:path` strings replaced at any depth, as Windmill's
    `get_value_interpolated` answers it (`resource_of`/`variable_of`: a value, None for one it lacks, which
    stays a reference)."""
    if isinstance(value, dict):
        return {key: interpolated(item, resource_of, variable_of, seen) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolated(item, resource_of, variable_of, seen) for item in value]
    if isinstance(value, str) and value.startswith("$var:"):
        found = variable_of(value[5:])
        return value if found is None else found
    if isinstance(value, str) and value.startswith("$res:") and value[5:] not in seen:
        found = resource_of(value[5:])
        return value if found is None else interpolated(found, resource_of, variable_of, seen | {value[5:]})
    return value
