"""The `wac` command: wires the typer apps and the single error exit path."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .exits import run_to_exit

# name -> (module under .commands, attribute): a function is a command, a Typer a group.
COMMANDS = {
    "init": ("init", "init"),
    "lint": ("lint", "lint"),
    "generate-metadata": ("generate_metadata", "generate_metadata"),
    "script": ("script", "app"),
    "flow": ("flow", "app"),
    "job": ("job", "app"),
    "server": ("server", "app"),
    "workspace": ("workspace", "app"),
    "sync": ("sync", "app"),
    "env": ("env", "app"),
    "dev": ("dev", "dev"),
}


def build_app(only: str | None = None) -> typer.Typer:
    """The `wac` app with every command, or with `only` one: a run imports the command it runs."""
    from importlib import import_module

    wac = typer.Typer(
        name="wac",
        help="Build, lint, preview and ship Windmill workflows-as-code scripts.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    wac.callback()(root)
    for name, (module_name, attribute) in COMMANDS.items():
        if only not in (None, name):
            continue
        module = import_module(f".commands.{module_name}", __package__)
        target = getattr(module, attribute)
        if isinstance(target, typer.Typer):
            wac.add_typer(target, name=name)
        else:
            wac.command(name, cls=getattr(module, "COMMAND_CLASS", None))(target)
    return wac


def __getattr__(name: str):
    if name == "app":  # the whole app, for tools that walk every command (tests, docs)
        return build_app()
    raise AttributeError(name)


_state = {"debug": False}
# Rich's help panels cut long option names ("--strict-folder-bounda…") below this width.
RICH_HELP_MIN_COLUMNS = 100


def _plain_help_unless_wide(app: typer.Typer) -> None:
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
    app = build_app(_command_named(sys.argv[1:]))
    _plain_help_unless_wide(app)
    command = typer.main.get_command(app)
    _whole_first_sentences(command)
    run_to_exit(lambda: command(prog_name="wac"), debug=lambda: _state["debug"])


def _command_named(args: list[str]) -> str | None:
    """The command the arguments run (the first that is not a root option), if it is one of ours."""
    first = next((arg for arg in args if not arg.startswith("-")), None)
    return first if first in COMMANDS else None
