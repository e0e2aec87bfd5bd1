"""`wac lint [PATHS...]`: determinism and WAC-shape checks."""

from __future__ import annotations

from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from ..errors import FAILED, PathNotFound
from ..output import Output
from ..project import find_root, wac_dir

if TYPE_CHECKING:
    from ..linting import LintReport


class Format(str, Enum):
    text = "text"
    json = "json"


def lint(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders (default: the current folder)."),
    output_format: Format = typer.Option(Format.text, "--format", help="text for people, json for CI."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore and do not update the lint cache."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."),
) -> None:
    """Check scripts for replay non-determinism and WAC mistakes; exit 1 on errors."""
    targets = paths or [Path(".")]
    from ..linting import LintCache, lint_paths

    missing = next((t for t in targets if not t.exists()), None)
    if missing is not None:
        raise PathNotFound(str(missing))
    first = targets[0] if targets[0].is_dir() else targets[0].parent
    cache = None if no_cache else LintCache(wac_dir(find_root(first)) / "cache" / "lint.json")
    report = lint_paths(targets, cache=cache, jobs=jobs)
    out = Output(json_mode=output_format is Format.json)
    if out.json_mode:
        out.print_json({
            "findings": [f.to_json() for f in report.findings],
            "files": report.files_checked,
            "errors": report.errors,
            "warnings": report.warnings,
            "cache_hits": report.cache_hits,
            "not_linted": report.not_linted,
        })
    else:
        _render(out, report)
        for entry in report.not_linted:
            out.err_line(f"note: {entry} is not linted: wac lints Python scripts (flows' inline steps too) and "
                         "flow, schedule and trigger files")
    if report.errors:
        raise typer.Exit(FAILED)


def _render(out: Output, report: LintReport) -> None:
    from rich.markup import escape

    by_file = defaultdict(list)
    for finding in report.findings:
        by_file[finding.path].append(finding)
    for path, findings in by_file.items():
        out.out.print(f"[bold underline]{escape(path)}[/]")
        for f in findings:
            color = "red" if f.severity == "error" else "yellow"
            out.out.print(
                f"  {f.line}:{f.column}  [{color}]{f.severity}[/]  [bold]{f.code}[/] "
                f"{escape(f.message)} [dim]({f.rule})[/]"
            )
            out.out.print(f"      [dim]hint: {escape(f.hint)}[/]")
        out.out.print()
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''}"
    if not report.findings:
        out.out.print(f"[green]No problems found[/] in {files}.")
        return
    out.out.print(
        f"[bold]{report.errors} error(s), {report.warnings} warning(s)[/] in {len(by_file)} of {files}."
    )
