"""Workspace dependencies: `dependencies/<file>` (a workspace's default `requirements.in`, `package.json`,
`composer.json`, `go.mod` or `modules.json`, or a named one: `dependencies/<name>.requirements.in`), kept
by the workspace as text per language and name; the archive holds the files as they are."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .base import CREATED, DELETED, UP_TO_DATE, ItemError, ItemKind, PushContext

PREFIX = "dependencies/"
LANGUAGES = (("package.json", "bun"), ("requirements.in", "python3"), ("composer.json", "php"), ("go.mod", "go"),
             ("modules.json", "powershell"))


def language_and_name(relative: str) -> tuple[str, str | None] | None:
    """(language, name) of a dependencies file (`x.requirements.in` -> ('python3', 'x')); None if unknown."""
    for filename, language in LANGUAGES:
        if relative.endswith(filename):
            return language, None if relative == filename else relative.removesuffix("." + filename)
    return None


class WorkspaceDependenciesKind(ItemKind):
    name = "workspace_dependencies"
    order = 8
    raw_archive = True

    def archive_name(self, remote_path: str) -> str:
        return PREFIX + remote_path

    def local_file(self, remote_path: str) -> str:
        return PREFIX + remote_path

    def remote_path(self, item: str) -> str:
        return item.removeprefix(PREFIX)

    def from_archive_name(self, name: str) -> str | None:
        return name.removeprefix(PREFIX) if name.startswith(PREFIX) else None

    def render(self, archived: Any, remote_path: str, ctx) -> dict[str, str | dict]:
        return {self.local_file(remote_path): archived}

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        return self.archive_name(remote_path), value.get("content", "")

    def _which(self, remote_path: str) -> tuple[str, str | None]:
        found = language_and_name(remote_path)
        if found is None:
            raise ItemError(f"{self.local_file(remote_path)}: not a dependencies file Windmill knows (package.json, "
                            "requirements.in, composer.json, go.mod, modules.json)")
        return found

    def local_body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        language, name = self._which(remote_path)
        path = self.local_file(remote_path)
        content = files[path] if path in files else ctx.read(path)
        if content is None:
            raise ItemError(f"{path}: missing")
        return {**({"name": name} if name else {}), "content": content, "language": language,
                "workspace_id": ctx.client.target.workspace}

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return None

    def fetch(self, ctx: PushContext, remote_path: str) -> Any:
        language, name = self._which(remote_path)
        query = f"?name={quote(name)}" if name else ""
        found = ctx.client.fetch_json(f"{ctx.client.ws}/workspace_dependencies/get_latest/{language}{query}")
        return found.get("content") if isinstance(found, dict) else None

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: Any) -> str:
        body = self.local_body(ctx, remote_path, files)
        if remote == body["content"]:
            return UP_TO_DATE
        ctx.client.call("POST", f"{ctx.client.ws}/workspace_dependencies/create", json=body)
        return CREATED

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        language, name = self._which(remote_path)
        ctx.client.call("POST", f"{ctx.client.ws}/workspace_dependencies/delete/{language}",
                        params={"name": name} if name else None, safe=True)
        return DELETED


KIND = WorkspaceDependenciesKind()
