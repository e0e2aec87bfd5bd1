"""`wac init`: a new repo that wmill and wac both accept, nothing overwritten."""

from __future__ import annotations

import json
import subprocess

from test_server_interop import WMILL, needs_cli


def test_init_sets_up_a_repo_whose_example_runs(run_wac, tmp_path):
    result = run_wac("init", "repo")
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "repo"
    assert {"wmill.yaml", "f/examples/hello_workflow.py", ".gitignore"} <= {
        p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}
    assert ".wac/" in (repo / ".gitignore").read_text()
    preview = run_wac("script", "preview", "f/examples/hello_workflow.py", "-d", '{"name": "ada"}', "-s", cwd=repo)
    assert json.loads(preview.stdout) == {"greeting": "Hello, ada!", "loud": "HELLO, ADA!", "length": 11}
    assert run_wac("lint", cwd=repo).returncode == 0
    assert run_wac("generate-metadata", "--yes", cwd=repo).returncode == 0
    assert run_wac("generate-metadata", "--check", cwd=repo).returncode == 0


def test_init_again_keeps_what_exists(run_wac, tmp_path):
    (tmp_path / "wmill.yaml").write_text("includes:\n  - 'u/**'\n")
    result = run_wac("init")
    assert result.returncode == 0
    assert "exists   wmill.yaml (kept as it is)" in result.stdout
    assert "created  f/examples/hello_workflow.py" in result.stdout
    assert (tmp_path / "wmill.yaml").read_text() == "includes:\n  - 'u/**'\n"
    again = run_wac("init")
    assert "Nothing to do" in again.stdout and "created" not in again.stdout


def test_init_on_a_file_is_a_clear_error(run_wac, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = run_wac("init", "notes.txt")
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr


@needs_cli
def test_wmill_yaml_is_the_one_wmill_init_writes(run_wac, tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    run_wac("init", cwd=tmp_path / "ours")
    subprocess.run([str(WMILL), "init", "--use-default"], cwd=tmp_path / "theirs", stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=120, check=True)
    assert (tmp_path / "ours" / "wmill.yaml").read_bytes() == (tmp_path / "theirs" / "wmill.yaml").read_bytes()
