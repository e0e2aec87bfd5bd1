"""Lint results as plain data; no libcst here, so reading cached results is cheap."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
# Bump when a rule changes what it reports: cached results are keyed on it.
RULES_VERSION = "4"


@dataclass(frozen=True)
class Finding:
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    code: str
    rule: str
    severity: str
    message: str
    hint: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
