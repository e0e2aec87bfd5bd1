"""All terminal output: plain or rich text for people, JSON for CI, errors on stderr.

The rich consoles are made on first use: commands that print plain lines
(and every `--json` run) never load rich.
"""

from __future__ import annotations

import json
import sys
from functools import cached_property
from typing import Any

from .errors import WacError
from .terminal import Style


class Output:
    """Renders results and errors in human or `--json` mode."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode

    @cached_property
    def out(self):
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True)

    @cached_property
    def err(self):
        from rich.console import Console

        return Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str = "") -> None:
        """A plain line on stdout: for long listings, where rich's per-call cost adds up."""
        sys.stdout.write(text + "\n")

    def err_line(self, text: str = "") -> None:
        sys.stderr.write(text + "\n")

    def print_json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def error(self, exc: WacError) -> None:
        if self.json_mode:
            self.print_json({"error": {"code": exc.code, "message": exc.message, "hint": exc.hint}})
            return
        style = Style.for_stream(sys.stderr)
        sys.stderr.write(style.paint("error:", "31", bold=True) + f" {exc.message}\n")
        if exc.hint:
            sys.stderr.write(style.dim(f"hint: {exc.hint}") + "\n")
