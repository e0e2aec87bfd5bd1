"""Parse Python source with libcst, turning syntax errors into plain data."""

from __future__ import annotations

import libcst as cst

from ._syntax_error import SourceSyntaxError, python_syntax_error


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
