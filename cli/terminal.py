"""Plain-or-coloured text for a stream: ANSI only on a terminal, and never with NO_COLOR."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    color: bool
    live: bool  # a line can be rewritten in place (a countdown)

    @classmethod
    def for_stream(cls, stream) -> "Style":
        tty = bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"
        return cls(color=tty and not os.environ.get("NO_COLOR"), live=tty)

    def paint(self, text: str, code: str, *, bold: bool = False) -> str:
        if not self.color:
            return text
        return f"\033[{'1;' if bold else ''}{code}m{text}\033[0m"

    def dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.color else text
