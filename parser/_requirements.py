"""Imports and header annotations -> the requirements of a script.

Follows Windmill's `windmill-parser-py-imports`: only imports above `main`
count, standard-library roots are dropped, names go through the import map,
and `#requirements:`, `#extra_requirements:`, `# pin:`/`# repin:`, `#py:`
and PEP 723 blocks are honoured. Workspace imports (`f.x.y`, `u.x.y`,
relative) are returned as Windmill paths, not packages.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from ._import_maps import distribution_for
from ._imports import PARSE_ERRORS, imports_above_main, without_type_parameters, workspace_imports
from ._stdlib import STDLIB_MODULES

_BLOCK_LINE = re.compile(r"^#\s?(\S+)\s*$")
_PIN = re.compile(r"#\s*(re)?pin:\s*(\S.*?)\s*$")
_PY_LINE = re.compile(r"^#\s?py:\s*(\S.*?)\s*$")
_PY_TAG = re.compile(r"^#\s?py3(1[0-9])\s*$")
_NAME_END = re.compile(r"[!=<>~\[;@ ]")
_WORKSPACE_ROOTS = ("f", "u")


@dataclass
class Requirements:
    """What a script needs: packages, a python version, workspace imports."""

    packages: list[str] = field(default_factory=list)
    manual: bool = False
    python: str | None = None
    workspace_imports: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def package_name(requirement: str) -> str:
    """`pandas>=2` -> `pandas`: the name part of a requirement line."""
    return _NAME_END.split(requirement.strip(), 1)[0]


def infer_requirements(code: str, script_path: str) -> Requirements:
    """Requirements of `code`, a script at Windmill path `script_path` (no extension)."""
    lines = code.splitlines()
    result = Requirements(python=_python_version(lines))
    imports = import_lines(code)
    result.workspace_imports = workspace_imports(code, script_path)
    manual = _comment_block(lines, ("#requirements:", "# requirements:"))
    if manual is not None:
        result.manual = True
        result.packages = sorted(set(manual))
        return result
    pep723 = _pep723_dependencies(lines)
    pins: dict[str, list[str]] = {}
    repins: dict[str, str] = {}
    for extra in (_comment_block(lines, ("#extra_requirements:", "# extra_requirements:")) or []) + pep723:
        pins.setdefault(package_name(extra), []).append(extra)
    for module, root, comment in imports:
        if root in _WORKSPACE_ROOTS or root in STDLIB_MODULES or not root:
            continue
        name = distribution_for(module) or root.replace("_", "-")
        pin = _line_pin(comment)
        if pin is None:
            pins.setdefault(name, [])
        elif pin[0]:
            repins[name] = pin[1]
        else:
            pins.setdefault(name, []).append(pin[1])
    packages: set[str] = set()
    for name, specs in pins.items():
        if name in repins:
            packages.add(repins[name])
        elif specs:
            packages.update(specs)
            if len(set(specs)) > 1:
                result.conflicts.append(f"{name}: {', '.join(sorted(set(specs)))}")
        else:
            packages.add(name)
    packages.update(v for k, v in repins.items() if k not in pins)
    result.packages = sorted(p for p in packages if p and not p.startswith("--"))
    return result


# (the module an import names, its root package ("" when relative), the comment ending its line)
ImportLine = tuple[str, str, "str | None"]


def import_lines(code: str) -> list[ImportLine]:
    """Each top-level import above `main`, read with `ast` (type parameter syntax rewritten first when this
    Python is older than it); with libcst when `ast` cannot read the code, which also says why it is invalid."""
    for text in (code, without_type_parameters(code)):
        try:
            statements = ast.parse(text).body
        except PARSE_ERRORS:
            continue
        nodes = imports_above_main(statements)
        comments = _trailing_comments(text) if _may_have_comment(text, nodes) else {}
        return [(name, root, comments.get(node.lineno)) for node in nodes for name, root in _named(node)]
    return import_lines_read_by_libcst(code)


def _named(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    if isinstance(node, ast.Import):
        return [(alias.name, alias.name.split(".", 1)[0]) for alias in node.names]
    module = node.module or ""
    return [(module, "" if node.level else module.split(".", 1)[0])]


def _may_have_comment(code: str, nodes: list[ast.stmt]) -> bool:
    """Whether a comment could end the logical line of one of `nodes` (else tokenizing is skipped)."""
    lines = io.StringIO(code, newline="").readlines()  # numbered as Python numbers them
    return any("#" in line or ";" in line or line.rstrip().endswith("\\")
               for node in nodes for line in lines[node.lineno - 1:node.end_lineno])


def _trailing_comments(code: str) -> dict[int, str]:
    """The comment ending each logical line, by every physical line it spans (as libcst's trailing whitespace)."""
    found: dict[int, str] = {}
    start, comment = None, None
    try:
        for token in tokenize.generate_tokens(io.StringIO(code, newline="").readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if comment is not None and start is not None:
                    found.update(dict.fromkeys(range(start, token.start[0] + 1), comment))
                start, comment = None, None
            elif token.type == tokenize.COMMENT:
                comment = token.string
            elif token.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                start = token.start[0] if start is None else start
                comment = None
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def import_lines_read_by_libcst(code: str) -> list[ImportLine]:
    """`import_lines` of code only libcst parses (raises `SourceSyntaxError` when it cannot either)."""
    import libcst as cst

    from ._syntax import dotted_name, parse_module

    found: list[ImportLine] = []
    for stmt in parse_module(code).body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "main":
            break
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        comment = stmt.trailing_whitespace.comment
        text = None if comment is None else comment.value
        for small in stmt.body:
            if isinstance(small, cst.Import):
                found.extend((name, name.split(".", 1)[0], text)
                             for name in (dotted_name(alias.name) or "" for alias in small.names))
            elif isinstance(small, cst.ImportFrom):
                name = "" if small.module is None else dotted_name(small.module) or ""
                found.append((name, "" if small.relative else name.split(".", 1)[0], text))
    return found


def _line_pin(comment: str | None) -> tuple[bool, str] | None:
    """(is_repin, spec) from a `# pin:` / `# repin:` comment on an import line."""
    match = None if comment is None else _PIN.search(comment)
    return None if match is None else (bool(match.group(1)), match.group(2))


def _comment_block(lines: list[str], markers: tuple[str, ...]) -> list[str] | None:
    """Entries of a `#marker:` block: the `#token` lines right below it."""
    for index, line in enumerate(lines):
        if line.startswith(markers):
            entries = []
            for following in lines[index + 1 :]:
                match = _BLOCK_LINE.match(following)
                if match is None:
                    break
                entries.append(match.group(1))
            return entries
    return None


def _python_version(lines: list[str]) -> str | None:
    for line in _leading_comments(lines):
        tag = _PY_TAG.match(line)
        if tag:
            return f"3.{tag.group(1)}"
        spec = _PY_LINE.match(line)
        if spec:
            return spec.group(1)
    block = _pep723_block(lines)
    match = re.search(r"requires-python\s*=\s*[\"']([^\"']+)[\"']", "\n".join(block))
    return match.group(1) if match else None


def _leading_comments(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            break
        out.append(line)
    return out


def _pep723_block(lines: list[str]) -> list[str]:
    try:
        start = lines.index("# /// script")
        end = lines.index("# ///", start + 1)
    except ValueError:
        return []
    return [line[2:] if line.startswith("# ") else line[1:] for line in lines[start + 1 : end]]


def _pep723_dependencies(lines: list[str]) -> list[str]:
    text = "\n".join(_pep723_block(lines))
    match = re.search(r"dependencies\s*=\s*\[(.*?)\]", text, re.S)
    return re.findall(r"[\"']([^\"']+)[\"']", match.group(1)) if match else []
