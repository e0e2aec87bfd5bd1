"""`wac lint` end to end: the real command in a subprocess."""

from __future__ import annotations

import json
import shutil

from conftest import EXAMPLES

BAD = (
    "from datetime import datetime\nfrom wmill import task as t, workflow\n\n"
    "@workflow\nasync def main():\n    return datetime.now()\n"
)


def test_examples_are_clean(run_wac):
    result = run_wac("lint", str(EXAMPLES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems found" in result.stdout


def test_findings_exit_1_and_json(run_wac, tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    human = run_wac("lint", "bad.py", "--no-cache")
    assert human.returncode == 1
    assert "WAC101" in human.stdout and "hint:" in human.stdout and "bad.py" in human.stdout
    data = json.loads(run_wac("lint", "bad.py", "--format", "json", "--no-cache").stdout)
    assert [(f["code"], f["line"], f["column"]) for f in data["findings"]] == [
        ("WAC102", 2, 19), ("WAC101", 6, 12)]
    assert data["errors"] == 2 and data["files"] == 1


def test_syntax_error_and_utf16_are_findings_not_crashes(run_wac, tmp_path):
    (tmp_path / "broken.py").write_text("def main(:\n")
    (tmp_path / "wide.py").write_bytes("def main():\n    pass\n".encode("utf-16"))
    result = run_wac("lint", ".", "--format", "json")
    assert result.returncode == 1
    codes = {f["path"]: f["code"] for f in json.loads(result.stdout)["findings"]}
    assert codes == {"broken.py": "WAC001", "wide.py": "WAC002"}
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error(run_wac):
    result = run_wac("lint", "does/not/exist.py")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no such file or folder") and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_cache_reuses_unchanged_files_and_sees_edits(run_wac, tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "repo")
    repo = tmp_path / "repo"
    run_wac("lint", cwd=repo)
    assert (repo / ".wac" / "cache" / "lint.json").is_file()
    (repo / "f" / "examples" / "basics.py").write_text(BAD)
    again = json.loads(run_wac("lint", "--format", "json", cwd=repo).stdout)
    assert again["cache_hits"] == again["files"] - 1
    assert {f["path"] for f in again["findings"]} == {"f/examples/basics.py"}


def test_module_files_are_checked(run_wac, tmp_path):
    (tmp_path / "wf.py").write_text(
        "from wmill import task_script, workflow\n\n@workflow\nasync def main():\n"
        "    return await task_script('./helper.py')(x=1)\n")
    assert run_wac("lint", "wf.py").returncode == 1
    (tmp_path / "wf__mod").mkdir()
    (tmp_path / "wf__mod" / "helper.py").write_text("def main(x: int):\n    return x\n")
    assert run_wac("lint", "wf.py").returncode == 0


def test_version_and_help(run_wac):
    assert run_wac("--version").stdout.startswith("wac ")
    assert "lint" in run_wac("--help").stdout
    assert run_wac("nonsense").returncode == 2


def test_syntax_errors_read_as_python_reports_them(run_wac, tmp_path):
    code = "import os\n\ndef main(x: int):\n    y = [1, 2\n    return x\n"
    (tmp_path / "broken.py").write_text(code)
    try:
        compile(code, "broken.py", "exec")
    except SyntaxError as exc:
        python = exc
    data = json.loads(run_wac("lint", "broken.py", "--format", "json", "--no-cache").stdout)
    [finding] = data["findings"]
    assert (finding["line"], finding["column"]) == (python.lineno, python.offset)
    assert finding["message"] == f"syntax error: {python.msg}"
