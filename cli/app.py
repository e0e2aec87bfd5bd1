"""The `wac` command: wires the typer apps and the single error exit path."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .commands import dev, env, flow, generate_metadata, init, job, lint, script, server, sync, workspace
from .errors import WacError
from .output import Output

app = typer.Typer(
    name="wac",
    help="Build, lint, preview and ship Windmill workflows-as-code scripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("init")(init.init)
app.command("lint")(lint.lint)
app.command("generate-metadata", cls=generate_metadata.WithRehashHelp)(generate_metadata.generate_metadata)
app.add_typer(script.app, name="script")
app.add_typer(flow.app, name="flow")
app.add_typer(job.app, name="job")
app.add_typer(server.app, name="server")
app.add_typer(workspace.app, name="workspace")
app.add_typer(sync.app, name="sync")
app.add_typer(env.app, name="env")
app.command("dev")(dev.dev)

_state = {"debug": False}
# Rich's help panels cut long option names ("--strict-folder-bounda…") below this width.
RICH_HELP_MIN_COLUMNS = 100


def _plain_help_unless_wide() -> None:
    """Click's plain help (wrapped, never cut) when piped or in a narrow terminal."""
    import shutil

    if sys.stdout.isatty() and shutil.get_terminal_size().columns >= RICH_HELP_MIN_COLUMNS:
        return
    for typer_app in (app, *(group.typer_instance for group in app.registered_groups)):
        typer_app.rich_markup_mode = None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wac")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"wac {_version()}")
        raise typer.Exit()


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    show_version: Optional[bool] = typer.Option(
        None, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Windmill workflows-as-code, locally: lint, preview, metadata, sync."""
    _state["debug"] = debug


def _whole_first_sentences(group) -> None:
    """Command lists show each command's first sentence wrapped, not cut at 45 characters ("...")."""
    import inspect

    for command in group.commands.values():
        if command.help and not command.short_help:
            paragraph = inspect.cleandoc(command.help).split("\n\n", 1)[0].replace("\n", " ")
            command.short_help = paragraph.split(". ", 1)[0].rstrip(".")
        if hasattr(command, "commands"):
            _whole_first_sentences(command)


def main() -> None:
    """Entry point: usage errors are click's (exit 2); ours print one line and a hint."""
    _plain_help_unless_wide()
    command = typer.main.get_command(app)
    _whole_first_sentences(command)
    try:
        command(prog_name="wac")
    except WacError as exc:
        if _state["debug"]:
            raise
        Output(json_mode=_json_requested(sys.argv[1:])).error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if _state["debug"]:
            raise
        Output().error(WacError(f"internal error: {type(exc).__name__}: {exc}",
                                "rerun with --debug for the traceback, and report it"))
        sys.exit(2)


def _json_requested(args: list[str]) -> bool:
    return "--json" in args or "--json-output" in args or "--format=json" in args or any(
        a == "--format" and i + 1 < len(args) and args[i + 1] == "json" for i, a in enumerate(args))
