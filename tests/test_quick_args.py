"""The preview quick path reads a command line exactly as typer does, or leaves it to typer."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer

from wac.cli import run_commands
from wac.cli.app import build_app
from wac.cli.quick_args import QUICK_COMMANDS, parse

BODIES = {("script", "preview"): "script_preview", ("flow", "preview"): "flow_preview"}

LINES = [
    ["f/x/a.py"],
    ["f/x/a.py", "-d", '{"n": 2}', "-s"],
    ["--data={\"n\": 2}", "f/x/a.py", "--silent", "--skip-sleeps"],
    ["f/x/a.py", "--workers", "3", "--approve", "--approval-value", '{"ok": true}', "--approver", "ann"],
    ["f/x/a.py", "--reject", "--await-approvals", "--store", "/tmp/s/jobs.db", "--env", "current"],
    ["f/x/a.py", "--env=locked", "--index-url", "https://pypi.example/simple", "--no-index"],
    ["f/x/a.py", "--find-links", "wheels", "--find-links=more", "--var", "u/a/b=1", "--resource", 'u/a/r={"x": 1}'],
    ["f/x/a.py", "--var", "u/a/b=1", "--var", "u/a/c=2", "-d", "@args.json", "-d", "@-"],
    ["f/x/a.py", "--workers", "1", "--workers", "5"],
]
DECLINED = [
    [], ["f/x/a.py", "f/x/b.py"], ["f/x/a.py", "--workers", "0"], ["f/x/a.py", "--workers", "two"],
    ["f/x/a.py", "--env", "other"], ["f/x/a.py", "--silent=yes"], ["f/x/a.py", "-sd", "{}"],
    ["f/x/a.py", "-d"], ["f/x/a.py", "-d", "-1"], ["f/x/a.py", "--unknown"], ["--", "f/x/a.py"],
    ["f/x/a.py", "--store", ""], ["f/x/a.py", "-h"],
]


def typer_command(command: tuple[str, str]):
    group = typer.main.get_command(build_app(command[0]))
    return group.commands[command[0]].commands[command[1]]


def bound(function, args, kwargs) -> dict:
    """What `function` is called with, as one flat mapping (its **run options included)."""
    arguments = inspect.signature(function).bind(*args, **kwargs)
    arguments.apply_defaults()
    flat = dict(arguments.arguments)
    return {**flat, **flat.pop("run", {})}


def typer_reads(command, line: list[str], monkeypatch) -> dict:
    """The arguments the typer command hands to the shared body for `line`."""
    body = BODIES[command]
    real = getattr(run_commands, body)
    seen = []
    monkeypatch.setattr(run_commands, body, lambda *a, **k: seen.append(bound(real, a, k)))
    typer_command(command).main(args=line, prog_name="wac", standalone_mode=False)
    return seen[0]


@pytest.mark.parametrize("command", list(QUICK_COMMANDS))
def test_the_table_is_the_typer_commands_options(command):
    quick = QUICK_COMMANDS[command]
    params = {p.name: p for p in typer_command(command).params if p.name != "path"}
    assert set(quick.flags) | quick.typer_only == set(params)
    assert not set(quick.flags) & quick.typer_only
    for name, flag in quick.flags.items():
        param = params[name]
        assert set(param.opts) | set(param.secondary_opts) == set(flag.names), name
        assert param.is_flag == (flag.kind == "flag"), name
        assert param.multiple == (flag.kind == "many"), name
        assert param.envvar == flag.envvar, name
        assert getattr(param.type, "min", None) == flag.minimum, name


@pytest.mark.parametrize("command", list(QUICK_COMMANDS))
@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_a_plain_line_reads_as_typer_reads_it(command, line, monkeypatch):
    if command == ("flow", "preview"):
        line = [*line, "--step", "s1"]
    body = getattr(run_commands, BODIES[command])
    quick = parse(line, QUICK_COMMANDS[command].flags)
    assert quick is not None
    assert bound(body, (quick.pop("path"),), quick) == typer_reads(command, line, monkeypatch)


def test_the_store_comes_from_its_environment_variable_as_with_typer(monkeypatch):
    monkeypatch.setenv("WAC_STORE", "/tmp/elsewhere/jobs.db")
    command, line = ("script", "preview"), ["f/x/a.py"]
    quick = parse(line, QUICK_COMMANDS[command].flags)
    assert quick["store"] == Path("/tmp/elsewhere/jobs.db")
    assert bound(run_commands.script_preview, (quick.pop("path"),), quick) == typer_reads(command, line, monkeypatch)


@pytest.mark.parametrize("line", DECLINED, ids=lambda line: " ".join(line) or "(nothing)")
def test_anything_else_is_left_to_typer(line):
    assert parse(line, QUICK_COMMANDS[("script", "preview")].flags) is None


def test_remote_flow_previews_are_left_to_typer():
    flags = QUICK_COMMANDS[("flow", "preview")].flags
    assert parse(["f/x/a.flow", "--remote"], flags) is None
    assert parse(["f/x/a.flow", "--workspace", "dev"], flags) is None


def wac(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "WAC_STORE"}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "wac.cli", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_a_preview_runs_without_typer_and_as_typer_runs_it(tmp_path):
    (tmp_path / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (tmp_path / "f" / "x").mkdir(parents=True)
    (tmp_path / "f" / "x" / "sum.py").write_text(textwrap.dedent('''
        from wmill import task, workflow

        @task
        async def double(i: int):
            return 2 * i

        @workflow
        async def main(n: int = 3):
            if n < 0:
                raise ValueError("n must not be negative")
            return sum([await double(i) for i in range(n)])
    '''))
    quick = wac(tmp_path, "script", "preview", "f/x/sum.py", "-d", '{"n": 4}', "-s")
    assert quick.returncode == 0, quick.stderr[-2000:]
    assert json.loads(quick.stdout) == 12
    assert "typer" not in imported(quick.stderr)
    warm = wac(tmp_path, "script", "preview", "f/x/sum.py", "-d", '{"n": 4}', "-s")
    # nothing written, no packages, no server, no terminal to size: none of what only those need
    assert {"tempfile", "shutil", "secrets", "wac.cli.environments"} & imported(warm.stderr) == set()
    with_typer = wac(tmp_path, "--debug", "script", "preview", "f/x/sum.py", "-d", '{"n": 4}', "-s")
    assert "typer" in imported(with_typer.stderr)
    assert (with_typer.returncode, with_typer.stdout) == (0, quick.stdout)

    failed = wac(tmp_path, "script", "preview", "f/x/sum.py", "-d", '{"n": -1}', "-s")
    assert failed.returncode == 1 and "typer" not in imported(failed.stderr)
    assert "n must not be negative" in failed.stdout + failed.stderr

    mistake = wac(tmp_path, "script", "preview", "f/x/missing.py", "-s")
    assert mistake.returncode == 2 and "typer" not in imported(mistake.stderr)
    assert [line for line in mistake.stderr.splitlines() if not line.startswith("import time:")] == [
        "error: no such file or folder: f/x/missing.py", "hint: check the path, relative to where you run wac"]

    usage = wac(tmp_path, "script", "preview", "f/x/sum.py", "--workers", "0")
    assert usage.returncode == 2 and "typer" in imported(usage.stderr)
    assert "Invalid value for '--workers'" in usage.stderr
