"""`wac generate-metadata [rehash] [FOLDER]`: schemas, locks and hashes for changed scripts."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import typer
from typer.core import TyperCommand

from ..errors import FAILED, InvalidInput
from ..output import Output
from ..project import find_root
from ..terminal import Style

REHASH = "rehash"
REHASH_HELP = """\
Usage: wac generate-metadata rehash [OPTIONS] [FOLDER]

  Re-record wmill-lock.yaml hashes from the metadata, lock and flow files on
  disk, resolving nothing: to fill missing entries, or after fixing those files
  by hand. Stale items stay as they are; `wac generate-metadata` regenerates.

Arguments:
  [FOLDER]  A folder to limit the run.

Options:
  -i, --includes TEXT  Globs overriding wmill.yaml includes.
  -e, --excludes TEXT  Globs overriding wmill.yaml excludes.
  --json               Machine-readable output.
  --help               Show this message and exit."""


class WithRehashHelp(TyperCommand):
    """`generate-metadata rehash --help` answers with the help of `rehash`, as wmill's subcommand does."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args[:1] == [REHASH] and "--help" in args[1:]:
            typer.echo(REHASH_HELP)
            ctx.exit(0)
        return super().parse_args(ctx, args)


COMMAND_CLASS = WithRehashHelp  # how cli/app.py registers the command


def generate_metadata(
    args: Optional[List[str]] = typer.Argument(None, metavar="[rehash] [FOLDER]",
                                               help="`rehash` to only re-record hashes; a folder to limit the run."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List stale items with reasons; write nothing."),
    check: bool = typer.Option(False, "--check", help="For CI: exit 1 when anything is stale; write nothing."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    schema_only: bool = typer.Option(False, "--schema-only", help="Only update .script.yaml schemas."),
    lock_only: bool = typer.Option(False, "--lock-only", help="Only update lock files."),
    strict: bool = typer.Option(False, "--strict-folder-boundaries", help="Never touch items outside FOLDER."),
    parallel: int = typer.Option(1, "--parallel", min=1, help="Items processed at once."),
    skip_scripts: bool = typer.Option(False, "--skip-scripts", help="Leave scripts alone."),
    skip_flows: bool = typer.Option(False, "--skip-flows", help="Leave flows alone."),
    skip_apps: bool = typer.Option(False, "--skip-apps", help="Leave apps alone."),
    includes: Optional[List[str]] = typer.Option(None, "-i", "--includes", help="Globs overriding wmill.yaml includes."),
    excludes: Optional[List[str]] = typer.Option(None, "-e", "--excludes", help="Globs overriding wmill.yaml excludes."),
    index_url: Optional[str] = typer.Option(None, "--index-url", help="Package index for lock resolution."),
    find_links: Optional[List[str]] = typer.Option(None, "--find-links", help="Extra wheel folders or pages."),
    no_index: bool = typer.Option(False, "--no-index", help="Resolve from --find-links only (offline)."),
    refresh_locks: bool = typer.Option(False, "--refresh-locks", help="Re-resolve instead of using cached locks (kept 24 h)."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Regenerate .script.yaml, .script.lock and wmill-lock.yaml for stale scripts."""
    args = list(args or [])
    rehash = bool(args) and args[0] == REHASH
    if rehash:
        args = args[1:]
    if len(args) > 1:
        raise InvalidInput(f"expected at most one folder, got: {' '.join(args)}",
                           "run `wac generate-metadata [rehash] [FOLDER]`")
    if schema_only and lock_only:
        raise InvalidInput("--schema-only and --lock-only exclude each other", "pick one")
    if rehash and (dry_run or check):
        raise InvalidInput(f"rehash does not take {'--dry-run' if dry_run else '--check'}: it only re-records hashes",
                           "to see what is stale without writing, run `wac generate-metadata --dry-run`")
    from ..config import load_config
    from ..metadata.generate import MetadataRun, Options

    out = Output(json_mode=json_output)
    root = find_root(Path.cwd())
    if not (root / "wmill.yaml").is_file():
        raise InvalidInput(f"no wmill.yaml in {root} or above it: not a Windmill repo",
                           "run generate-metadata inside a Windmill repo (`wac init` makes one)")
    config = load_config(root, includes, excludes)
    options = Options(folder=_folder_in_repo(root, args[0]) if args else None, strict_folder_boundaries=strict,
                      schema_only=schema_only, lock_only=lock_only, parallel=parallel, skip_scripts=skip_scripts,
                      skip_flows=skip_flows, skip_apps=skip_apps)
    run = MetadataRun(root, config, options)
    if rehash:
        counts = run.rehash(options.folder)
        if json_output:
            out.print_json({"rehashed": sum(counts.values()), "by_kind": counts})
        else:
            out.out.print(f"Rehashed {counts['script']} script(s), {counts['flow']} flow(s), "
                          f"{counts['app']} app(s) from disk.")
        return
    stale = run.plan(rendering=not (dry_run or check))
    if json_output and (dry_run or check or not stale.stale):
        out.print_json({"stale": [{"kind": s.kind, "path": s.item.local, "reason": s.reason} for s in stale.stale],
                        "warnings": stale.warnings})
    elif not json_output:
        _print_plan(out, stale, options.kinds)
    if check and stale.stale:
        raise typer.Exit(FAILED)
    if dry_run or check:
        return
    if not stale.stale:
        run.write_missing_defaults()
        return
    if not yes and sys.stdin.isatty() and not typer.confirm("Update metadata?", default=True):
        raise typer.Exit(FAILED)
    locker = None if schema_only else run.locker(index_url=index_url, find_links=tuple(find_links or ()),
                                                 no_index=no_index, refresh=refresh_locks)
    with _progress(out, len(stale.stale), json_output) as on_item:
        result = run.apply(stale, on_item=on_item, locker=locker)
    run.write_missing_defaults()
    _print_result(out, result, json_output, locker.resolutions if locker else 0)
    if result.failed or result.unsupported:
        raise typer.Exit(FAILED)


def _folder_in_repo(root: Path, folder: str) -> str:
    """FOLDER as a path inside the repo, which must exist there (a typo must not pass a CI check)."""
    target = (root / folder).resolve()
    if not target.is_relative_to(root.resolve()):
        raise InvalidInput(f"folder {folder} is outside the repo at {root}",
                           "pass a folder relative to the repo root, e.g. f/team")
    if not target.is_dir():
        raise InvalidInput(f"folder {folder} does not exist in the repo at {root}",
                           "pass a folder relative to the repo root, e.g. f/team")
    return folder


@contextmanager
def _progress(out: Output, total: int, quiet: bool) -> Iterator[Callable[[int, object], None]]:
    """A rich progress bar in a terminal; wmill's `[i/N] script path` lines otherwise."""
    width = len(f"[{total}/{total}]")
    if quiet:
        yield lambda index, result: None
    elif not out.out.is_terminal:
        yield lambda index, result: out.line(_progress_line(index, total, width, result))
    else:
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=out.out, transient=True) as bar:
            task = bar.add_task("Updating metadata", total=total)
            yield lambda index, result: bar.update(task, completed=index, description=escape(result.item.local))


def _progress_line(index: int, total: int, width: int, result) -> str:
    """`[1/2] script f/x/y.py`, `[2/2] flow   f/x/z.flow: a, b`, as wmill prints them."""
    scripts = f": {', '.join(result.updated_scripts)}" if result.updated_scripts else ""
    return f"{f'[{index}/{total}]'.ljust(width)} {result.kind.ljust(6)} {result.item.local}{scripts}"


def _print_plan(out: Output, stale, kinds: list[str]) -> None:
    """Plain lines: a dry run is read by people and scripts alike, and rich would double its start-up."""
    out.line(f"Checking {', '.join(kinds)}...")
    warn = Style.for_stream(sys.stderr)
    for warning in stale.warnings:
        out.err_line(warn.paint(warning, "33"))
    out.line()
    if not stale.stale:
        out.line("All metadata up-to-date")
        return
    out.line(f"Found {len(stale.stale)} item(s) with stale metadata:")
    for kind, label in (("script", "Scripts"), ("flow", "Flows"), ("app", "Apps")):
        entries = [entry for entry in stale.stale if entry.kind == kind]
        if entries:
            out.line(f"  {label} ({len(entries)}):")
        for entry in entries:
            out.line(f"    ~ {entry.item.local} — {entry.reason}")


def _print_result(out: Output, result, json_output: bool, resolutions: int) -> None:
    from rich.markup import escape

    if json_output:
        out.print_json({
            "resolutions": resolutions,
            "updated": [r.item.local for r in result.results if not r.error and not r.unsupported],
            "failed": [{"path": r.item.local, "error": r.error} for r in result.failed],
            "needs_wmill": [{"path": r.item.local, "reason": r.unsupported} for r in result.unsupported],
            "lock_changes": {r.item.local: r.lock_changes for r in result.results if r.lock_changes},
        })
        return
    for r in result.results:
        if r.warning:
            out.err.print(f"[yellow]warning:[/] {escape(r.item.local)}: {escape(r.warning)}")
        for change in r.lock_changes:
            out.out.print(f"  {escape(r.item.local)}: {escape(change)}")
    done = len(result.results) - len(result.failed) - len(result.unsupported)
    if not result.failed and not result.unsupported:
        out.out.print(f"\nDone. Updated {done} item(s).")
        return
    if result.failed:
        out.out.print(f"\nDone. Updated {done}/{len(result.results)} item(s). {len(result.failed)} failed:")
        for r in result.failed:
            out.out.print(f"  {escape(r.item.local)}: {escape(r.error or '')}")
    else:
        out.out.print(f"\nDone. Updated {done}/{len(result.results)} item(s).")
    reasons = sorted({r.unsupported for r in result.unsupported})
    out.err.print(f"[yellow]{len(result.unsupported)} item(s) need `wmill generate-metadata` "
                  f"({escape('; '.join(reasons))}):[/] {escape(', '.join(r.item.local for r in result.unsupported))}")
