"""Resource types: `<name>.resource-type.yaml` at the repo root (the schema a resource's value follows)."""

from __future__ import annotations

from .base import ItemKind, Route


class ResourceTypeKind(ItemKind):
    name = "resource-type"
    order = 5
    route = Route("resources/type", id_field="name")


KIND = ResourceTypeKind()
