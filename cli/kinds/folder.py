"""Folders: `f/<name>/folder.meta.yaml`, the folder's display name, owners and permissions."""

from __future__ import annotations

from .base import ItemKind, Route


class FolderKind(ItemKind):
    name = "folder"
    order = 4
    route = Route("folders", id_field="name")

    def archive_name(self, remote_path: str) -> str:
        return f"f/{remote_path}/folder.meta.json"

    def local_file(self, remote_path: str) -> str:
        return f"f/{remote_path}/folder.meta.yaml"

    def remote_path(self, item: str) -> str:
        return item.split("/")[1]

    def from_archive_name(self, name: str) -> str | None:
        return name.split("/")[1] if name.startswith("f/") and name.endswith("/folder.meta.json") else None


KIND = FolderKind()
