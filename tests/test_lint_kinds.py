"""`wac lint` on item files: flow, schedule and trigger YAML with the findings `wmill lint` reports
(fixtures/lint, recorded with the reference CLI), and what would stop a push."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES

LINT = FIXTURES / "lint"


def _lint_json(run_wac, cwd, *args):
    result = run_wac("lint", "--format", "json", *args, cwd=cwd)
    return result, json.loads(result.stdout)


def test_item_files_get_the_findings_wmill_lint_reports(run_wac, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(LINT / "input", repo)
    result, report = _lint_json(run_wac, repo)
    assert result.returncode == 1
    mine: dict[str, list[str]] = {}
    for finding in report["findings"]:
        if finding["code"] == "WAC201":
            mine.setdefault(finding["path"], []).append(finding["message"])
    reference = {issue["path"]: issue["errors"] for issue in json.loads((LINT / "wmill_lint.json").read_text())["issues"]}
    assert {path: sorted(messages) for path, messages in mine.items()} == \
        {path: sorted(errors) for path, errors in reference.items()}
    assert not any(f["path"].startswith("f/good/") for f in report["findings"])


def test_findings_point_at_the_line(run_wac, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(LINT / "input", repo)
    _, report = _lint_json(run_wac, repo, "f/bad/hook.http_trigger.yaml")
    method = next(f for f in report["findings"] if "/http_method" in f["message"])
    assert (method["line"], method["column"]) == (6, 14)


def test_what_would_stop_a_push_is_reported_too(run_wac, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mixed" / "committed", repo)
    schedule = repo / "f/etl/nightly.schedule.yaml"
    schedule.write_text(schedule.read_text().replace("0 0 3 * * *", "0 0 3 * *"))
    (repo / "f/etl/notify.flow/shout.inline_script.py").unlink()
    odd = repo / "f/démo_ü"
    odd.mkdir()
    (odd / "héllo_日本.py").write_text("def main():\n    return 1\n")
    for name in ("7.dropbox", "8.github"):  # native triggers: wmill lint skips them; a push needs a known service
        (repo / f"f/etl/daily.flow.{name}_native_trigger.yaml").write_text("script_path: f/etl/daily\nis_flow: true\n")
    for named in ("c_prompt", "f/etl/prompt"):  # a resource type is named, not pathed: only the first is
        (repo / f"{named}.resource-type.yaml").write_text("description: ''\nschema: {}\n")
    result, report = _lint_json(run_wac, repo)
    assert result.returncode == 1
    codes = {(f["path"], f["code"]): f["message"] for f in report["findings"]}
    assert "it has 5 fields" in codes[("f/etl/nightly.schedule.yaml", "WAC202")]
    assert "shout.inline_script.py" in codes[("f/etl/notify.flow/flow.yaml", "WAC204")]
    assert codes[("f/démo_ü/héllo_日本.py", "WAC203")] == (
        "Windmill refuses the path 'f/démo_ü/héllo_日本': folder name 'démo_ü' contains 'é', 'ü': "
        "folder names take a-z, A-Z, 0-9 and _ only")
    assert "name 'f/etl/prompt' contains '/'" in codes[("f/etl/prompt.resource-type.yaml", "WAC203")]
    assert not any(path == "c_prompt.resource-type.yaml" for path, _ in codes)
    assert "no native trigger service 'dropbox'" in codes[("f/etl/daily.flow.7.dropbox_native_trigger.yaml", "WAC203")]
    assert not any(path.startswith("f/etl/daily.flow.8.") for path, _ in codes)


def test_other_languages_are_named_not_misread(run_wac, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mixed" / "committed", repo)
    result = run_wac("lint", "f/ops/ping.ts", "f/ops/cleanup.sh", cwd=repo)
    assert result.returncode == 0 and "WAC001" not in result.stdout
    assert "note: f/ops/ping.ts (TypeScript (Bun)) is not linted" in result.stderr
    assert "note: f/ops/cleanup.sh (Bash) is not linted" in result.stderr
