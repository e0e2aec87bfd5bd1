"""Parse Python source with libcst, turning syntax errors into plain data."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class SourceSyntaxError(Exception):
    """The source is not valid Python; line and column are 1-based."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


def parse_module(code: str) -> cst.Module:
    """Parse `code` into a libcst module or raise `SourceSyntaxError`.

    The error is Python's own (message and position, as `python script.py` shows it)
    whenever this interpreter also rejects the code; libcst's token lists are not for people.
    """
    try:
        return cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        python = python_syntax_error(code)
        if python is not None:
            raise python from None
        first_line = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
        raise SourceSyntaxError(first_line, exc.raw_line, exc.raw_column + 1) from None
    except RecursionError:
        raise SourceSyntaxError("source nests too deeply to parse", 1, 1) from None


def python_syntax_error(code: str) -> SourceSyntaxError | None:
    """Python's complaint about `code` (None when this interpreter accepts it)."""
    try:
        compile(code, "<script>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return SourceSyntaxError(exc.msg, exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return SourceSyntaxError(str(exc) or "source nests too deeply to parse", 1, 1)
    return None


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
