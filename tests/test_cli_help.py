"""Help for every command: complete at 80 columns, every option and argument explained."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest
import typer

from wac.cli.app import app


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(leaf_commands(typer.main.get_command(app)))


def help_at(columns: int, *args: str) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([sys.executable, "-m", "wac.cli", *args, "--help"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_and_argument_has_help(path, command):
    for param in command.params:
        assert getattr(param, "help", None), f"wac {' '.join(path)}: {param.name} has no help"
    assert command.help, f"wac {' '.join(path)} has no description"


@pytest.mark.parametrize("path", [(), ("job",), ("generate-metadata",), ("sync", "push"), ("script", "preview")],
                         ids=lambda p: " ".join(p) or "wac")
def test_help_at_80_columns_cuts_nothing(path):
    text = help_at(80, *path)
    assert "…" not in text and "..." not in text.replace("[ARGS]...", "")
    assert all(len(line) <= 80 for line in text.splitlines())
    group = typer.main.get_command(app)
    command = group
    for name in path:
        command = command.commands[name]
    names = command.commands if isinstance(command, click.Group) else {
        opt for param in command.params for opt in param.opts if opt.startswith("--")}
    for name in names:
        assert name in text, name


def test_generate_metadata_argument_reads_as_usage():
    text = help_at(80, "generate-metadata")
    assert "Usage: wac generate-metadata [OPTIONS] [rehash] [FOLDER]" in text
    assert "list[str]" not in text
    rehash = help_at(80, "generate-metadata", "rehash")
    assert rehash.startswith("Usage: wac generate-metadata rehash [OPTIONS] [FOLDER]")
    assert "--dry-run" not in rehash and all(len(line) <= 80 for line in rehash.splitlines())


def test_shell_completion_is_offered():
    text = help_at(100)
    assert "--install-completion" in text and "--show-completion" in text
    env = {**os.environ, "_WAC_COMPLETE": "complete_bash", "COMP_WORDS": "wac generate-m", "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "wac.cli"], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["generate-metadata"]



def modules_loaded(args: list[str], cwd=None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `wac ARGS` in-process in a fresh interpreter; its output and the modules it imported."""
    probe = (f"import atexit, sys\nfrom wac.cli.app import main\nsys.argv = ['wac', *{args!r}]\n"
             "atexit.register(lambda: print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr))\n"
             "main()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=cwd)
    return done, set(done.stderr.rsplit("MODULES ", 1)[-1].split())


def test_a_run_imports_only_the_command_it_runs():
    """Each command module costs start-up time: `wac lint` must not load the server or the flow engine."""
    done, modules = modules_loaded(["--debug", "lint", "--help"])
    assert "Usage: wac lint" in done.stdout
    assert {m for m in modules if m.startswith("wac.cli.commands.")} == {"wac.cli.commands.lint"}


def test_a_preview_does_not_load_the_server(tmp_path):
    (tmp_path / "wmill.yaml").write_text("includes:\n  - f/**\n")
    (tmp_path / "f" / "x").mkdir(parents=True)
    (tmp_path / "f" / "x" / "y.py").write_text("def main(n: int):\n    return n + 1\n")
    done, modules = modules_loaded(["script", "preview", "f/x/y.py", "-d", '{"n": 1}', "--env", "current"], tmp_path)
    assert done.stdout.strip().endswith("2"), done.stderr
    assert not {m for m in modules if m.startswith(("starlette", "uvicorn", "wac.cli.server.workspace_admin_api"))}


def wac_in(probe: str, *args: str, cwd=None) -> subprocess.CompletedProcess:
    """`wac ARGS` after `probe` ran in the same fresh interpreter."""
    code = f"import sys\n{probe}\nsys.argv = ['wac', *{args!r}]\nfrom wac.cli.app import main\nmain()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_the_quick_exit_keeps_codes_output_exit_handlers_and_threads(tmp_path):
    """`wac` ends without the interpreter's teardown: what a normal exit guarantees must still hold."""
    handler = "import atexit; atexit.register(lambda: print('handler ran'))"
    done = wac_in(handler, "lint", "nope.py", cwd=tmp_path)  # one of our errors
    assert done.returncode == 2 and done.stdout == "handler ran\n" and "error:" in done.stderr
    done = wac_in(handler, "--bogus")  # click's usage error
    assert done.returncode == 2 and "No such option" in done.stderr and done.stdout == "handler ran\n"
    big = wac_in("", "lint", "--help")  # output written before the exit is all there
    assert big.returncode == 0 and big.stdout.rstrip().endswith(help_at(100, "lint").rstrip().splitlines()[-1])
    thread = ("import threading, time\n"
              "threading.Thread(target=lambda: (time.sleep(0.5), print('thread done', flush=True))).start()")
    done = wac_in(thread, "lint", "--help")  # a thread still running: the exit waits for it
    assert done.returncode == 0 and done.stdout.rstrip().endswith("thread done")
