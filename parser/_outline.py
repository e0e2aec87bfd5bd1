"""What generate-metadata reads from a script, from one `ast` parse: its workspace
imports and the part of its text `main`'s signature is read from.

Planning parses every script that may import from the workspace; keeping the
signature's source from that same parse spares rendering a second parse.
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass

from ._imports import PARSE_ERRORS, imports_in, workspace_imports


@dataclass(frozen=True)
class Outline:
    imports: list[str]
    signature_source: str


def outline(code: str, script_path: str) -> Outline:
    """The outline of `code`, the script at Windmill path `script_path` (no extension)."""
    try:
        body = ast.parse(code).body
    except PARSE_ERRORS:
        return Outline(workspace_imports(code, script_path), code)
    return Outline(imports_in(body, script_path), signature_source(code, body))


def signature_source(code: str, body: list[ast.stmt] | None = None) -> str:
    """The top-level statements a signature can read, cut out of `code` with `ast`.

    Those are `main`, `preprocessor` and the classes their text names (transitively):
    libcst costs about ten times what `ast` does per line, and a long script is mostly
    helpers. Code that `ast` cannot parse is returned whole, for libcst to judge.
    `body`: the module's statements when the caller has parsed it already.
    """
    if body is None:
        try:
            body = ast.parse(code).body
        except PARSE_ERRORS:
            return code
    lines = io.StringIO(code, newline="").readlines()  # numbered as Python numbers them
    chunks: dict[ast.stmt, str] = {}
    previous_end = 0
    for stmt in body:
        chunks[stmt] = "".join(lines[previous_end:stmt.end_lineno]).rstrip("\n") + "\n"  # with its decorators
        previous_end = stmt.end_lineno
    wanted = {stmt for stmt in body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
              and stmt.name in ("main", "preprocessor")}
    classes = [stmt for stmt in body if isinstance(stmt, ast.ClassDef)]
    named = " ".join(chunks[stmt] for stmt in wanted)
    while True:
        more = {c for c in classes if c not in wanted and re.search(rf"\b{c.name}\b", named)}
        if not more:
            break
        wanted |= more
        named = " ".join(chunks[stmt] for stmt in more)
    return "".join(chunks[stmt] for stmt in body if stmt in wanted)
