"""Variables: `<path>.variable.yaml`. Secret values travel encrypted (`already_encrypted=true`) and
are never printed; with `skipSecrets` secret variables are left out of the sync entirely."""

from __future__ import annotations

from typing import Any

from .base import ItemKind, Route


class VariableKind(ItemKind):
    name = "variable"
    order = 6
    route = Route("variables", get_query={"decrypt_secret": "false", "include_encrypted": "true"},
                  write_query={"already_encrypted": "true"})
    local_only = ("extra_perms",)
    acl_kind = "variable"

    def update_body(self, remote_path: str, local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
        """The local fields; `is_secret` only to make a variable secret (never to downgrade one)."""
        body = dict(local)
        if "is_secret" in body:
            if local["is_secret"] != remote.get("is_secret") and local["is_secret"]:
                body["is_secret"] = True
            else:
                del body["is_secret"]
        return body


KIND = VariableKind()
