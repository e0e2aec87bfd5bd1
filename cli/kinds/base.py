"""An item kind: the files it owns, its API routes, and how its file maps to API bodies and back.

Most kinds are one YAML file (`f/x/y.schedule.yaml`) holding what the workspace archive holds as
JSON (`f/x/y.schedule.json`); a push reads the item, compares (wmill's `isSuperset`), then
updates or creates it. Kinds differ only by the hooks below. The client, the server and the
sync all take routes and bodies from here, never from their own tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..config import SyncConfig
    from ..remote.client import WindmillClient

CREATED, UPDATED, UP_TO_DATE, DELETED = "created", "updated", "up to date", "deleted"


@dataclass
class RenderContext:
    """What turning the workspace archive into files needs besides the archive."""

    config: "SyncConfig"
    file_extensions: dict[str, str] = field(default_factory=dict)  # resource type -> file extension
    filesets: frozenset[str] = frozenset()  # resource types whose value is a folder of files
    flow_names: Callable[[str], dict[str, str]] = lambda folder: {}  # a local flow's step id -> inline file


@dataclass
class PushContext:
    """What pushing one item needs besides its files."""

    client: "WindmillClient"
    config: "SyncConfig"
    read: Callable[[str], str | None]  # a repo file's text, by path relative to the root (None: missing)
    message: str | None = None
    root: Path = Path(".")  # the repo's folder (a raw app is bundled there)


class ItemError(Exception):
    """An item's files cannot make an API body; the message names the file."""


@dataclass(frozen=True)
class Route:
    """Where a kind lives in the API: `/w/{ws}/<base>/get/<id>`, `create`, `update/<id>`, `delete/<id>`."""

    base: str
    get: str = "get"  # apps read at `get/p/<path>`
    id_field: str = "path"  # what a create body names the item by (`name` for folders, resource types, groups)
    get_query: dict[str, str] = field(default_factory=dict)
    write_query: dict[str, str] = field(default_factory=dict)


class ItemKind:
    """One kind of workspace item (its `name` is wmill's type string)."""

    name: str = ""
    order: int = 15  # where its changes sort (wmill's getOrderFromPath)
    route: Route | None = None
    # Keys that are about an item's file or a request, never compared with the workspace's copy.
    local_only: tuple[str, ...] = ()
    acl_kind: str | None = None  # the kind in `acls/add/<kind>/<path>` when a push syncs its extra_perms
    raw_archive = False  # its archive entry is the file itself, not JSON
    pushed_by: str | None = None  # a tool that pushes this kind instead of wac (raw apps, when nothing bundles them)

    # -- files -----------------------------------------------------------------------------------------
    def archive_name(self, remote_path: str) -> str:
        """The item's entry in the workspace archive."""
        return f"{remote_path}.{self.name}.json"

    def local_file(self, remote_path: str) -> str:
        return f"{remote_path}.{self.name}.yaml"

    def from_archive_name(self, name: str) -> str | None:
        """The Windmill path of an archive entry of this kind (`f/x/y.schedule.json` -> `f/x/y`), else None."""
        suffix = f".{self.name}.json"
        return name[: -len(suffix)] if name.endswith(suffix) else None

    def remote_path(self, item: str) -> str:
        """The item's Windmill path from its sync key (`f/x/y.schedule` -> `f/x/y`)."""
        return item[: -len(self.name) - 1] if item.endswith("." + self.name) else item

    def render(self, archived: dict[str, Any], remote_path: str, ctx: RenderContext) -> dict[str, str | dict]:
        """The files a pull writes for the item the archive holds as `archived`: path -> text, or
        path -> the data of a YAML file (written as wmill writes YAML)."""
        return {self.local_file(remote_path): self.pulled(archived, ctx.config)}

    def pulled(self, archived: dict[str, Any], config: "SyncConfig") -> dict[str, Any]:
        """The archived value as its YAML file holds it."""
        return archived

    # -- push ------------------------------------------------------------------------------------------
    def local_value(self, files: dict[str, str], path: str, ctx: PushContext) -> dict[str, Any]:
        """The item's local definition: its YAML file `path`, parsed."""
        from ..metadata.script_metadata import MetadataError, parse_metadata_text

        text = files.get(path) if path in files else ctx.read(path)
        if text is None:
            raise ItemError(f"{path}: missing")
        try:
            return parse_metadata_text(path, text)
        except MetadataError as exc:
            raise ItemError(str(exc)) from None

    def local_body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        """What a push would send of the item (ItemError when its files cannot make one)."""
        return self.local_value(files, self.local_file(remote_path), ctx)

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        """The workspace's copy of the item (None: it has none)."""
        return ctx.client.get_item(self.route, self.route_id(remote_path))

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        """Create or update the item from its files (`remote`: what `fetch` read; nothing when equal)."""
        local = {k: v for k, v in self.local_value(files, self.local_file(remote_path), ctx).items()
                 if k not in self.local_only}
        if remote is not None:
            if is_superset(self.compared(local), remote):
                return UP_TO_DATE
            ctx.client.update_item(self.route, self.route_id(remote_path), self.update_body(remote_path, local, remote))
            self.after_update(ctx, remote_path, local, remote)
            return UPDATED
        ctx.client.create_item(self.route, self.create_body(remote_path, local))
        return CREATED

    def route_id(self, remote_path: str) -> str:
        return remote_path

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        """The item's `extra_perms` as its file states them (None: the file does not say)."""
        return self.local_value(files, self.local_file(remote_path), ctx).get("extra_perms")

    def compared(self, local: dict[str, Any]) -> dict[str, Any]:
        return local

    def create_body(self, remote_path: str, local: dict[str, Any]) -> dict[str, Any]:
        return {self.route.id_field: remote_path, **local}

    def update_body(self, remote_path: str, local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
        return local

    def after_update(self, ctx: PushContext, remote_path: str, local: dict[str, Any], remote: dict[str, Any]) -> None:
        """Requests that follow an update (a schedule's enabled flag)."""

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        ctx.client.delete_item(self.route, self.route_id(remote_path))
        return DELETED

    # -- the server's side -------------------------------------------------------------------------
    def stored(self, body: dict[str, Any]) -> dict[str, Any]:
        """What the server keeps of a create/update body (the archive's JSON of the item)."""
        return {k: v for k, v in body.items() if k not in (self.route.id_field, "deployment_message",
                                                            "skip_draft_deletion", "preserve_permissioned_as")}

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        """The item's name and text in the workspace archive, from what the server keeps of it."""
        return self.archive_name(remote_path), archive_json(value)


class FolderItemKind(ItemKind):
    """A kind kept as a folder named after the item (`<path>.flow/`, or `<path>__flow/` with
    `nonDottedPaths`): flows, apps, raw apps."""

    def folder(self, remote_path: str, config) -> str:
        return remote_path + getattr(config.suffixes, self.name)

    def remote_path(self, item: str) -> str:
        for suffix in (f".{self.name}", f"__{self.name}"):
            if item.endswith(suffix):
                return item[: -len(suffix)]
        return item


def is_superset(subset: dict[str, Any], superset: dict[str, Any]) -> bool:
    """wmill's up-to-date test: every key of `subset` deep-equal in `superset` (null is not missing)."""
    return all(key in superset and same_json(value, superset[key]) for key, value in subset.items())


def same_json(a: Any, b: Any) -> bool:
    """JavaScript deep equality of JSON values (1 and 1.0 are equal, true and 1 are not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def archive_json(value: dict[str, Any]) -> str:
    """A value as the workspace archive holds it (pretty JSON)."""
    return json.dumps(value, indent=2, ensure_ascii=False)
