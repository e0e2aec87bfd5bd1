"""Script languages: from a file name (wmill's inferContentTypeFromFilePath) and back to an extension."""

from __future__ import annotations

# Longest first: the first match names the language; None means `defaultTs` (bun or deno).
_BY_SUFFIX = (
    (".py", "python3"), ("fetch.ts", "nativets"), ("bun.ts", "bun"), ("deno.ts", "deno"), (".ts", None),
    (".go", "go"), (".my.sql", "mysql"), (".bq.sql", "bigquery"), (".odb.sql", "oracledb"),
    (".duckdb.sql", "duckdb"), (".sf.sql", "snowflake"), (".ms.sql", "mssql"), (".pg.sql", "postgresql"),
    (".gql", "graphql"), (".sh", "bash"), (".ps1", "powershell"), (".php", "php"), (".rs", "rust"),
    (".cs", "csharp"), (".playbook.yml", "ansible"), (".nu", "nu"), (".java", "java"), (".rb", "ruby"),
    (".r", "rlang"),
)
# The extension of an inline script file per language (windmill-utils' path assigner).
INLINE_EXTENSIONS = {
    "python3": "py", "bun": "bun.ts", "deno": "deno.ts", "go": "go", "bash": "sh", "powershell": "ps1",
    "postgresql": "pg.sql", "mysql": "my.sql", "bigquery": "bq.sql", "oracledb": "odb.sql", "snowflake": "sf.sql",
    "mssql": "ms.sql", "graphql": "gql", "nativets": "native.ts", "frontend": "frontend.js", "php": "php",
    "rust": "rs", "csharp": "cs", "nu": "nu", "ansible": "playbook.yml", "java": "java", "duckdb": "duckdb.sql",
    "bunnative": "ts", "ruby": "rb", "rlang": "r", "dbt": "dbt.yaml",
}
# Languages whose scripts carry a lock the server resolves (wmill's languageNeedsLock).
LOCKED_LANGUAGES = frozenset(("bun", "python3", "php", "go", "deno", "rust", "ansible"))
NAMES = {"python3": "Python", "bun": "TypeScript (Bun)", "deno": "TypeScript (Deno)", "nativets": "TypeScript",
         "go": "Go", "bash": "Bash", "php": "PHP", "rust": "Rust", "ansible": "Ansible", "powershell": "PowerShell",
         "csharp": "C#", "java": "Java", "ruby": "Ruby", "nu": "Nu", "rlang": "R"}


def language_of(path: str, default_ts: str = "bun") -> str | None:
    """The language of a script file by its name; None when wmill cannot tell (a bare `.sql`)."""
    for suffix, language in _BY_SUFFIX:
        if path.endswith(suffix):
            return language or default_ts
    return None


def inline_extension(language: str, default_ts: str = "bun") -> str:
    """The file extension of an inline script of `language` (`ts` for the default TypeScript runtime)."""
    if language in (default_ts, "bunnative"):
        return "ts"
    return INLINE_EXTENSIONS.get(language, "no_ext")


def display_name(language: str) -> str:
    return NAMES.get(language, language)
