"""The workspace's encryption key: `encryption_key.yaml` (with `includeKey: true`), the bare key. A push
sets it when it differs (secrets are re-encrypted with it unless `WMILL_NO_REENCRYPT_ON_KEY_CHANGE=true`);
a deleted file deletes nothing. The key is never printed."""

from __future__ import annotations

import os
import re
from typing import Any

from .base import UP_TO_DATE, UPDATED, ItemError, ItemKind, PushContext, archive_json

FILE = "encryption_key.yaml"
KEY = re.compile(r"^[a-zA-Z0-9]{64}$")


class EncryptionKeyKind(ItemKind):
    name = "encryption_key"
    order = 1

    def archive_name(self, remote_path: str) -> str:
        return "encryption_key.json"

    def local_file(self, remote_path: str) -> str:
        return FILE

    def remote_path(self, item: str) -> str:
        return "encryption_key"

    def from_archive_name(self, name: str) -> str | None:
        return "encryption_key" if name == "encryption_key.json" else None

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        return "encryption_key.json", archive_json(value.get("key"))

    def render(self, archived: Any, remote_path: str, ctx) -> dict[str, str | dict]:
        from ..metadata.yaml_emit import dump

        return {FILE: dump(archived)}

    def fetch(self, ctx: PushContext, remote_path: str) -> Any:
        found = ctx.client.fetch_json(f"{ctx.client.ws}/workspaces/encryption_key")
        return found.get("key") if isinstance(found, dict) else None

    def local_body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        from ..metadata.yaml_load import YAMLError, load

        text = files.get(FILE) if FILE in files else ctx.read(FILE)
        try:
            key = load(text or "")
        except YAMLError:
            key = None
        if not isinstance(key, str) or not KEY.match(key):
            raise ItemError(f"{FILE}: expected the workspace's key (64 letters and digits)")
        return {"new_key": key}

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return None

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: Any) -> str:
        key = self.local_body(ctx, remote_path, files)["new_key"]
        if key == remote:
            return UP_TO_DATE
        skip = os.environ.get("WMILL_NO_REENCRYPT_ON_KEY_CHANGE", "").lower() == "true"
        ctx.client.call("POST", f"{ctx.client.ws}/workspaces/encryption_key",
                        json={"new_key": key, "skip_reencrypt": skip}, safe=True)
        return UPDATED

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        return UP_TO_DATE  # as wmill: a workspace keeps its key


KIND = EncryptionKeyKind()
