"""generate-metadata on a repo of every kind (fixtures/mixed): flows, bash/SQL/TypeScript scripts,
resources, schedules... against what the reference wmill CLI recorded and printed."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES
from test_server_interop import needs_cli, wmill
from test_generate_metadata import repo_bytes, stale_lines
from wheels import build_wheel

MIXED = FIXTURES / "mixed"
EDITS = ("f/lib/helper.py", "f/etl/notify.flow/shout.inline_script.py", "f/ops/cleanup.sh")


@pytest.fixture
def mixed(tmp_path):
    target = tmp_path / "mixed"
    shutil.copytree(MIXED / "committed", target)
    (target / ".git").mkdir()
    return target


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "wheels"
    build_wheel(folder, "pyyaml", "6.0.1")
    return folder


def edit(repo) -> None:
    for rel in EDITS:
        with open(repo / rel, "a", encoding="utf-8") as handle:
            handle.write("\n# edited\n")


def test_rehash_records_flows_as_the_reference_does(run_wac, mixed):
    expected = (mixed / "wmill-lock.yaml").read_bytes()
    (mixed / "wmill-lock.yaml").unlink()
    result = run_wac("generate-metadata", "rehash", cwd=mixed)
    assert result.stdout.strip() == (MIXED / "rehash.txt").read_text().strip()
    assert (mixed / "wmill-lock.yaml").read_bytes() == expected


def test_committed_repo_is_up_to_date(run_wac, mixed):
    before = repo_bytes(mixed)
    assert run_wac("generate-metadata", "--check", cwd=mixed).returncode == 0
    assert repo_bytes(mixed) == before


@pytest.mark.parametrize("args, oracle", [
    ((), "dry_run.txt"),
    (("f/etl",), "dry_run_folder.txt"),
    (("f/lib", "--strict-folder-boundaries"), "dry_run_strict.txt"),
])
def test_dry_run_lists_sections_as_the_reference(run_wac, mixed, args, oracle):
    edit(mixed)
    before = repo_bytes(mixed)
    result = run_wac("generate-metadata", *args, "--dry-run", cwd=mixed)
    reference = (MIXED / oracle).read_text(encoding="utf-8")
    assert stale_lines(result.stdout) == stale_lines(reference)
    assert [l for l in result.stderr.splitlines() if l.startswith("Warning:")] == \
        [l for l in reference.splitlines() if l.startswith("Warning:")]
    assert repo_bytes(mixed) == before


def test_a_stale_flow_fails_the_check(run_wac, mixed):
    with open(mixed / "f/etl/notify.flow/shout.inline_script.py", "a") as handle:
        handle.write("\n# edited\n")
    result = run_wac("generate-metadata", "--check", "--json", cwd=mixed)
    assert result.returncode == 1
    assert json.loads(result.stdout)["stale"] == [
        {"kind": "flow", "path": "f/etl/notify.flow", "reason": "content changed"}]


def test_regeneration_locks_flows_and_names_what_needs_wmill(run_wac, mixed, wheels):
    edit(mixed)
    result = run_wac("generate-metadata", "--yes", "--no-index", "--find-links", str(wheels), cwd=mixed)
    assert result.returncode == 1, result.stdout + result.stderr  # the bash script is left to wmill
    assert "[4/5] flow   f/etl/notify.flow: shout.inline_script" in result.stdout
    assert "need `wmill generate-metadata` (wac generates metadata for Python only, not Bash): f/ops/cleanup.sh" \
        in result.stderr
    daily = mixed / "f/etl/daily.flow"
    assert (daily / "extract_rows.inline_script.lock").read_text().endswith("\npyyaml==6.0.1\n")
    assert (daily / "log_row.inline_script.sh").exists() and not (daily / "log_row.inline_script.lock").exists()
    flow = (daily / "flow.yaml").read_text()
    assert "lock: '!inline extract_rows.inline_script.lock'" in flow
    assert "lock: '!inline failure.inline_script.lock'" in flow  # the failure step too
    # nothing beside the flow folders: no phantom scripts, no `f/etl/daily` script entry
    assert sorted(p.name for p in (mixed / "f/etl").iterdir() if p.is_file()) == [
        "api_key.variable.yaml", "batch_size.variable.yaml", "folder.meta.yaml", "hook.http_trigger.yaml",
        "nightly.schedule.yaml", "warehouse.resource.yaml"]
    lock = (mixed / "wmill-lock.yaml").read_text()
    assert "f/etl/daily:" not in lock and "f/etl/daily.flow+extract_rows.inline_script.py" in lock
    again = run_wac("generate-metadata", "--dry-run", cwd=mixed)
    assert stale_lines(again.stdout) == ["Found 1 item(s) with stale metadata:", "  Scripts (1):",
                                         "    ~ f/ops/cleanup.sh — content changed"]


def test_a_missing_inline_file_fails_that_flow_only(run_wac, mixed, wheels):
    edit(mixed)
    (mixed / "f/etl/notify.flow/shout.inline_script.py").unlink()
    before = (mixed / "f/etl/notify.flow/flow.yaml").read_bytes()
    result = run_wac("generate-metadata", "--yes", "--no-index", "--find-links", str(wheels), cwd=mixed)
    assert result.returncode == 1
    assert "f/etl/notify.flow: cannot regenerate the locks of flow f/etl/notify: missing inline script file(s): " \
           "shout.inline_script.py" in result.stdout
    assert (mixed / "f/etl/notify.flow/flow.yaml").read_bytes() == before
    assert (mixed / "f/etl/daily.flow/clean.inline_script.lock").exists()


@needs_cli
def test_an_app_is_relocked_here_and_wmill_then_finds_it_up_to_date(run_wac, mixed, wheels, wac_server):
    script = mixed / "f/etl/board.app/count_rows.inline_script.py"
    script.write_text("import yaml\n\n" + script.read_text())
    result = run_wac("generate-metadata", "--yes", "--no-index", "--find-links", str(wheels), cwd=mixed)
    assert result.returncode == 0, result.stdout + result.stderr
    board = mixed / "f/etl/board.app"
    assert (board / "count_rows.inline_script.lock").read_text().endswith("\npyyaml==6.0.1\n")
    assert "lock: '!inline count_rows.inline_script.lock'" in (board / "app.yaml").read_text()
    assert (board / "background_runnable_0.inline_script.frontend.js").read_text() == "return ctx.username"
    assert not (board / "background_runnable_0.inline_script.lock").exists()  # frontend scripts take no lock
    checked = wmill("generate-metadata", "--dry-run", cwd=mixed, server=wac_server)
    assert "board.app" not in checked.stdout, checked.stdout
    assert run_wac("generate-metadata", "--check", cwd=mixed).returncode == 0


@needs_cli
def test_a_raw_app_is_relocked_here_and_wmill_then_finds_it_up_to_date(run_wac, tmp_path, wheels, wac_server):
    """As wmill's updateRawAppRunnables: a Python runnable's lock in `backend/<id>.lock`, a code file without
    `<id>.yaml` gets one, the hashes recorded; the real wmill then has nothing to regenerate."""
    repo = tmp_path / "repo"
    backend = repo / "f/etl/portal.raw_app/backend"
    backend.mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "wmill.yaml").write_text("defaultTs: bun\nincludes:\n  - f/**\n")
    (backend.parent / "raw_app.yaml").write_text("summary: Portal\n")
    (backend.parent / "index.tsx").write_text("export const a = 1;\n")
    (backend / "count.yaml").write_text("type: inline\nfields:\n  n:\n    value: 1\n")
    (backend / "count.py").write_text("import yaml\n\n\ndef main(n: int):\n    return n + 1\n")
    (backend / "plain.py").write_text("def main():\n    return 2\n")
    (backend / "open_flow.yaml").write_text("type: flow\npath: f/etl/daily\nfields: {}\n")
    result = run_wac("generate-metadata", "--yes", "--no-index", "--find-links", str(wheels), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (backend / "count.lock").read_text().endswith("\npyyaml==6.0.1\n")
    assert (backend / "count.yaml").read_text() == "type: inline\nfields:\n  n:\n    value: 1\n"
    assert (backend / "plain.yaml").read_text() == "type: inline\n"  # as wmill writes one for a bare code file
    assert (backend / "open_flow.yaml").read_text() == "type: flow\nfields: {}\npath: f/etl/daily\n"  # wmill's order
    assert "f/etl/portal.raw_app" in (repo / "wmill-lock.yaml").read_text()
    checked = wmill("generate-metadata", "--dry-run", cwd=repo, server=wac_server)
    assert "portal" not in checked.stdout, checked.stdout
    assert run_wac("generate-metadata", "--check", cwd=repo).returncode == 0
