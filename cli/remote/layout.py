"""What a file of a sync tree is, as the `wmill` CLI classifies it: its kind, item and role.

wac syncs scripts (any language) and folders; flows, apps, resources and the
other kinds are counted and left to `wmill`.
"""

from __future__ import annotations

import re

from ..project import MODULE_SUFFIX

MOD = MODULE_SUFFIX + "/"
SCRIPT_EXTENSIONS = (".go", ".ts", ".sh", ".py", ".sql", ".gql", ".ps1", ".js", ".php", ".rs", ".cs", ".nu",
                     ".java", ".rb", ".r")
# Longest first: the first match names the language (inferContentTypeFromFilePath).
_LANGUAGES = (
    (".py", "python3"), ("fetch.ts", "nativets"), ("bun.ts", "bun"), ("deno.ts", "deno"), (".ts", None),
    (".go", "go"), (".my.sql", "mysql"), (".bq.sql", "bigquery"), (".odb.sql", "oracledb"),
    (".duckdb.sql", "duckdb"), (".sf.sql", "snowflake"), (".ms.sql", "mssql"), (".pg.sql", "postgresql"),
    (".gql", "graphql"), (".sh", "bash"), (".ps1", "powershell"), (".php", "php"), (".rs", "rust"),
    (".cs", "csharp"), (".playbook.yml", "ansible"), (".nu", "nu"), (".java", "java"), (".rb", "ruby"),
    (".r", "rlang"),
)
_OTHER_KINDS = re.compile(r"\.(flow|app|raw_app)/|__(flow|app|raw_app)/|\.(resource|variable|schedule|"
                          r"resource-type|user|group|[a-z]+_trigger)\.(yaml|json)$|\.resource\.file\.|\.fileset/")
ROOTS = ("f/", "u/", "g/")


def is_module_file(path: str) -> bool:
    return MOD in path


def item_of(path: str) -> str:
    """The item a file belongs to: the part before `__mod/`, else before the first dot."""
    if MOD in path:
        return path.split(MOD, 1)[0]
    return path.split(".", 1)[0]


def kind_of(path: str) -> str | None:
    """`script` or `folder` for what wac syncs; None for files of other kinds or no kind."""
    if _OTHER_KINDS.search(path):
        return None
    if MOD in path:
        return "script"
    name = path.rsplit("/", 1)[-1]
    if name == "folder.meta.yaml":
        return "folder"
    if name.endswith((".script.yaml", ".script.lock")) or is_content(path) or name.endswith(".playbook.yml"):
        return "script"
    return None


def other_kind(path: str) -> str | None:
    """The kind wac leaves to `wmill` (flow, app, resource, ...), for the plan's count."""
    match = _OTHER_KINDS.search(path)
    if not match:
        return None
    return next((g for g in match.groups() if g and g not in ("yaml", "json")), "resource")


def is_content(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(SCRIPT_EXTENSIONS) and not name.endswith((".script.yaml", ".script.lock"))


def language_of(path: str, default_ts: str) -> str | None:
    for suffix, language in _LANGUAGES:
        if path.endswith(suffix):
            return language or default_ts
    return None


def role_of(path: str, item: str) -> str:
    """What a file is to its item, whatever the layout: content, metadata, lock, module:<rel>, folder."""
    rest = path[len(item):]
    if rest.startswith(MOD):
        rel = rest[len(MOD):]
        if rel == "script.yaml":
            return "metadata"
        if rel == "script.lock":
            return "lock"
        if "/" not in rel and rel.startswith("script.") and is_content(rel):
            return "content"
        return f"module:{rel}"
    if rest == ".script.yaml":
        return "metadata"
    if rest == ".script.lock":
        return "lock"
    if rest == ".meta.yaml":
        return "folder"
    return "content"
