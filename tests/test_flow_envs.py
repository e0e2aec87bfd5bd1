"""`wac flow preview --env locked` (the default): each Python step that needs packages runs in an environment
holding exactly its lock, as on a worker: an inline step's `.inline_script.lock` (else the lock generate-metadata
would write), a repo script's `.script.lock` (offline wheels)."""

from __future__ import annotations

import json

import pytest
import yaml

from wheels import build_wheel

INLINE = '''from __future__ import annotations

import dataclasses
import importlib.util

import tinypkg{pin}


@dataclasses.dataclass
class Seen:  # with string annotations a dataclass looks its module up in sys.modules, as for an imported module
    version: str


def main(x: int):
    print("inline sees", tinypkg.__version__)
    seen = Seen(tinypkg.__version__)
    return {{"inline": seen.version, "x": x, "wac_packages_visible": importlib.util.find_spec("typer") is not None}}
'''
SCRIPT = '''import tinypkg  # pin: tinypkg==2.0.0
import wmill


async def main(label: str):
    return {label: tinypkg.__version__, "sdk": wmill.__name__, "variable": wmill.get_variable("f/x/key")}
'''
FAILING = "import tinypkg  # pin: tinypkg==1.0.0\n\n\ndef main(a, b):\n    return helper()\n\n\ndef helper():\n" \
          "    raise ValueError(f'no luck with {tinypkg.__version__}')\n"


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "wheels"
    for version in ("1.0.0", "2.0.0"):
        build_wheel(folder, "tinypkg", version)
    # the repo script imports it: its lock names it; wac's SDK stands in for the workflow API, this stands for the
    # real package's other names
    build_wheel(folder, "wmill", "1.850.0", code="def get_variable(path):\n    return 'real:' + path\n")
    return folder


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    (root / "f" / "x" / "both.flow").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (root / "f/x/version.py").write_text(SCRIPT)
    folder = root / "f/x/both.flow"
    (folder / "a.inline_script.py").write_text(INLINE.format(pin="  # pin: tinypkg==1.0.0"))
    (folder / "c.inline_script.py").write_text("def main(a, b):\n    return [a, b]\n")
    modules = [
        {"id": "a", "value": {"type": "rawscript", "language": "python3", "content": "!inline a.inline_script.py",
                              "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.n + 1"}}}},
        {"id": "b", "value": {"type": "script", "path": "f/x/version",
                              "input_transforms": {"label": {"type": "static", "value": "script"}}}},
        {"id": "c", "value": {"type": "rawscript", "language": "python3", "content": "!inline c.inline_script.py",
                              "input_transforms": {"a": {"type": "javascript", "expr": "results.a"},
                                                   "b": {"type": "javascript", "expr": "results.b"}}}}]
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))
    return root


def preview(run_wac, repo, *extra):
    return run_wac("flow", "preview", "f/x/both.flow", "-d", '{"n": 1}', *extra, cwd=repo)


def offline(wheels):
    return ("--no-index", "--find-links", str(wheels))


def test_each_step_sees_its_own_locked_packages_and_not_wacs(run_wac, repo, wheels):
    run = preview(run_wac, repo, "-s", *offline(wheels))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [{"inline": "1.0.0", "x": 2, "wac_packages_visible": False},
                                      {"script": "2.0.0", "sdk": "wmill", "variable": "real:f/x/key"}]
    logs = run_wac("job", "logs", json.loads(run_wac("job", "list", "--json", cwd=repo).stdout)[0]["id"], cwd=repo)
    assert "inline sees 1.0.0" in logs.stdout


def test_an_inline_steps_lock_file_wins_over_its_comments(run_wac, repo, wheels):
    """A worker installs the lock generate-metadata wrote, whatever the code's pins say now."""
    folder = repo / "f/x/both.flow"
    (folder / "a.inline_script.lock").write_text("# py: 3.11\ntinypkg==2.0.0\n")
    flow = yaml.safe_load((folder / "flow.yaml").read_text())
    flow["value"]["modules"][0]["value"]["lock"] = "!inline a.inline_script.lock"
    (folder / "flow.yaml").write_text(yaml.safe_dump(flow))
    run = preview(run_wac, repo, "-s", *offline(wheels))
    assert json.loads(run.stdout)[0]["inline"] == "2.0.0", run.stderr


def test_a_step_failing_in_its_environment_reports_its_own_error_and_frames(run_wac, repo, wheels):
    (repo / "f/x/both.flow/c.inline_script.py").write_text(FAILING)
    run = preview(run_wac, repo, "-s", *offline(wheels))
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert (error["name"], error["message"], error["step_id"]) == ("ValueError", "no luck with 1.0.0", "c")
    assert error["stack"].splitlines()[0] == 'File "<inline step>", line 5, in main'
    assert "in helper" in error["stack"] and "step_process" not in error["stack"]


def test_a_pin_that_does_not_exist_is_one_clear_error_before_any_run(run_wac, repo, wheels):
    (repo / "f/x/both.flow/a.inline_script.py").write_text(INLINE.format(pin="  # pin: tinypkg==9.9.9"))
    run = preview(run_wac, repo, *offline(wheels))
    assert run.returncode != 0
    assert run.stderr.startswith("error: cannot lock the packages of a.inline_script.py: ")
    assert "Traceback" not in run.stderr
    assert not (repo / ".wac" / "jobs.db").exists()


def test_env_current_runs_steps_in_wacs_own_environment(run_wac, repo, wheels):
    run = preview(run_wac, repo, "-s", "--env", "current")
    assert run.returncode == 1
    assert json.loads(run.stdout)["error"]["message"] == "No module named 'tinypkg'"


def test_a_preview_after_editing_a_step_reads_its_packages_without_libcst(repo, wheels):
    """Only the edited step's imports are read again, with `ast`: libcst's import alone is 0.3 s of a preview."""
    import os
    import subprocess
    import sys

    folder = repo / "f/x/both.flow"
    for edit in ("# first edit\n", "# second edit\n"):
        (folder / "a.inline_script.py").write_text(INLINE.format(pin="  # pin: tinypkg==2.0.0") + edit)
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "wac.cli", "flow", "preview", "f/x/both.flow",
                              "-d", '{"n": 1}', "-s", *offline(wheels)], cwd=repo, capture_output=True, text=True,
                             env={**os.environ, "PIP_CONFIG_FILE": os.devnull}, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        assert json.loads(run.stdout)[0]["inline"] == "2.0.0"
        imported = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import t")}
        assert "libcst" not in imported
