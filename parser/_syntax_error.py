"""Invalid Python as plain data, without loading libcst (Python's own parser says what is wrong)."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSyntaxError(Exception):
    """The source is not valid Python; line and column are 1-based."""

    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


def python_syntax_error(code: str) -> SourceSyntaxError | None:
    """Python's complaint about `code` (None when this interpreter accepts it)."""
    try:
        compile(code, "<script>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return SourceSyntaxError(exc.msg, exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return SourceSyntaxError(str(exc) or "source nests too deeply to parse", 1, 1)
    return None
