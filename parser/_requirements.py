"""Imports and header annotations -> the requirements of a script.

Follows Windmill's `windmill-parser-py-imports`: only imports above `main`
count, standard-library roots are dropped, names go through the import map,
and `#requirements:`, `#extra_requirements:`, `# pin:`/`# repin:`, `#py:`
and PEP 723 blocks are honoured. Workspace imports (`f.x.y`, `u.x.y`,
relative) are returned as Windmill paths, not packages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from ._import_maps import distribution_for
from ._imports import workspace_imports
from ._stdlib import STDLIB_MODULES
from ._syntax import dotted_name, parse_module

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
    module = parse_module(code)
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
    for node, root, line in _imports_above_main(module):
        if root in _WORKSPACE_ROOTS or root in STDLIB_MODULES or not root:
            continue
        name = distribution_for(dotted_name_of(node)) or root.replace("_", "-")
        pin = _line_pin(line)
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


def dotted_name_of(node: cst.Import | cst.ImportFrom | cst.ImportAlias) -> str:
    if isinstance(node, cst.ImportAlias):
        return dotted_name(node.name) or ""
    if isinstance(node, cst.ImportFrom):
        return "" if node.module is None else dotted_name(node.module) or ""
    return ""


def _imports_above_main(module: cst.Module):
    """(import node, root module, its line) for each top-level import above `main`."""
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "main":
            return
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    yield alias, dotted_name_of(alias).split(".", 1)[0], stmt
            elif isinstance(small, cst.ImportFrom):
                name = dotted_name_of(small)
                yield small, ("" if small.relative else name.split(".", 1)[0]), stmt


def _line_pin(line: cst.SimpleStatementLine) -> tuple[bool, str] | None:
    """(is_repin, spec) from a `# pin:` / `# repin:` comment on an import line."""
    comment = line.trailing_whitespace.comment
    match = None if comment is None else _PIN.search(comment.value)
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
