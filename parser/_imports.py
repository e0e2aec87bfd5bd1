"""Workspace imports of a script (`from f.x.y import z`, `from .x import y`), read with `ast`.

Only top-level imports above `main` count, as in Windmill's parser, and only
in a file that parses. This runs on every script of a repo when planning
generate-metadata: `ast` is C and about ten times faster than libcst here, and
a cheap text test skips files that cannot import from the workspace.
"""

from __future__ import annotations

import ast
import re

_WORKSPACE_ROOTS = ("f", "u")
PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
# A cheap test on the whole text: could it import anything from the workspace at all?
_MAY_IMPORT_WORKSPACE = re.compile(r"^[^#\n]*\b(?:from\s+\.|(?:from|import)\s[^#\n]*\b[fu]\s*\.)", re.M)


def workspace_imports(code: str, script_path: str) -> list[str]:
    """Windmill paths that `code`, the script at `script_path` (no extension), imports; sorted.

    An unparsable script imports nothing.
    """
    if not may_import_workspace(code):
        return []
    try:
        statements = ast.parse(code).body
    except PARSE_ERRORS:
        statements = _statements_newer_than_this_python(code)
    return imports_in(statements, script_path)


def may_import_workspace(code: str) -> bool:
    """A cheap test on the text: False means `code` imports nothing from the workspace."""
    return _MAY_IMPORT_WORKSPACE.search(code) is not None


def imports_in(statements: list[ast.stmt], script_path: str) -> list[str]:
    """The workspace imports among a module's top-level statements above `def main`, sorted."""
    found: set[str] = set()
    for node in imports_above_main(statements):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                found.add(_resolve_relative(script_path, node.level, node.module))
            elif (node.module or "").split(".", 1)[0] in _WORKSPACE_ROOTS:
                found.add(node.module.replace(".", "/"))
        else:
            found.update(alias.name.replace(".", "/") for alias in node.names
                         if alias.name.split(".", 1)[0] in _WORKSPACE_ROOTS)
    return sorted(found)


def imports_above_main(statements: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The top-level `import` / `from` statements before `def main` (async or not)."""
    found = []
    for stmt in statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "main":
            break
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
    return found


# Python 3.12's type parameter syntax, as it starts a line: `type X[T] = ...`, `def f[T](`, `class C[T]`.
_TYPE_ALIAS = re.compile(r"^([ \t]*)type[ \t]+([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\])?[ \t]*=", re.M)
_TYPE_PARAMS = re.compile(r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+[A-Za-z_]\w*)[ \t]*\[[^\]\n]*\][ \t]*(?=[(:])",
                          re.M)


def _statements_newer_than_this_python(code: str) -> list[ast.stmt]:
    """Top-level statements of a script this interpreter cannot parse (`type X = ...` on 3.11).

    Type parameter syntax, the usual cause, is rewritten to its 3.11 equivalent for imports'
    purposes (`type X = A` as `X = A`, `def f[T](` as `def f(`, lines kept) and parsed by `ast`;
    anything else goes to libcst, whose import alone costs a third of a second.
    """
    rewritten = without_type_parameters(code)
    if rewritten != code:
        try:
            return ast.parse(rewritten).body
        except PARSE_ERRORS:
            pass
    return _statements_read_by_libcst(code)


def without_type_parameters(code: str) -> str:
    """`code` with Python 3.12's type parameter syntax rewritten to 3.11's, every line where it was."""
    return _TYPE_PARAMS.sub(r"\1", _TYPE_ALIAS.sub(r"\1\2 =", code))


def _statements_read_by_libcst(code: str) -> list[ast.stmt]:
    """Each simple top-level line of a module libcst parses, re-read by `ast`, `main` as a stub.

    Nothing when libcst cannot parse it either: as in Windmill, such a script imports nothing.
    """
    import libcst as cst

    try:
        module = cst.parse_module(code)
    except (cst.ParserSyntaxError, RecursionError):
        return []
    statements: list[ast.stmt] = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "main":
            statements.extend(ast.parse("def main(): pass").body)
            break
        if isinstance(stmt, cst.SimpleStatementLine):
            try:
                statements.extend(ast.parse(module.code_for_node(stmt).strip()).body)
            except SyntaxError:
                continue  # itself newer syntax, and not an import
    return statements


def _resolve_relative(script_path: str, level: int, module: str | None) -> str:
    parts = script_path.split("/")
    base = "/".join(parts[:-level]) if level < len(parts) else ""
    return base if module is None else f"{base}/{module.replace('.', '/')}"

