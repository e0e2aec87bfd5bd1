"""All terminal output: rich for people, JSON for CI, errors on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from .errors import WacError


class Output:
    """Renders results and errors in human or `--json` mode."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def line(self, text: str = "") -> None:
        """A plain line on stdout: for long listings, where rich's per-call cost adds up."""
        sys.stdout.write(text + "\n")

    def print_json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def error(self, exc: WacError) -> None:
        if self.json_mode:
            self.print_json({"error": {"code": exc.code, "message": exc.message, "hint": exc.hint}})
            return
        self.err.print(f"[bold red]error:[/] {escape(exc.message)}")
        if exc.hint:
            self.err.print(f"[dim]hint: {escape(exc.hint)}[/]")

