"""`wac job ...` and the preview command's errors, as a user meets them."""

from __future__ import annotations

import json
import os
import signal

from conftest import result_of, start_wac, store_db, wait_for


def test_list_show_logs_and_their_json(run_wac, project):
    for x in (1, 2, 3):
        result_of(run_wac("script", "preview", "f/t/cached.py", "-d", json.dumps({"x": x}), "-s", cwd=project))
    listed = run_wac("job", "list", "--limit", "2", cwd=project)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "script", "status", "created", "duration"]
    assert len(lines) == 4 and all("f/t/cached" in line for line in lines[1:3])
    assert "showing 2 of 3 runs" in lines[3]
    assert len(json.loads(run_wac("job", "list", "--all", "--json", cwd=project).stdout)) == 3
    newest = json.loads(run_wac("job", "list", "--json", cwd=project).stdout)[0]
    shown = json.loads(run_wac("job", "show", newest["id"][:8], "--json", cwd=project).stdout)
    assert shown["args"] == {"x": 3} and shown["result"] == 30 and shown["script"] == "f/t/cached"
    assert [t["step_key"] for t in shown["tasks"]] == ["expensive"]
    text = run_wac("job", "show", newest["id"][:8], cwd=project).stdout
    assert 'args: {"x": 3}' in text and "Timeline" in text and "expensive" in text
    missing = run_wac("job", "show", "nope", cwd=project)
    assert missing.returncode == 2 and "no job matches `nope`" in missing.stderr


def test_show_tells_what_a_waiting_run_waits_for_and_cancel_ends_it(run_wac, project):
    proc = start_wac(project, "script", "preview", "f/t/gate.py", "-s")
    db = wait_for(lambda: store_db(project), what="the job store")
    run_id = wait_for(lambda: db.execute("SELECT id FROM jobs WHERE status='approval'").fetchone(),
                      what="the approval")[0]
    shown = run_wac("job", "show", run_id[:8], cwd=project).stdout
    assert "waiting for approval of `approval` until" in shown and f"wac job approve {run_id[:8]}" in shown
    assert run_wac("job", "cancel", run_id[:8], cwd=project).returncode == 0
    proc.communicate(timeout=30)
    assert proc.returncode == 1  # the preview saw its run canceled
    again = run_wac("job", "cancel", run_id[:8], cwd=project)
    assert again.returncode == 1 and "already ended (canceled): nothing to cancel" in again.stderr
    assert json.loads(run_wac("job", "show", run_id[:8], "--json", cwd=project).stdout)["status"] == "canceled"


def test_logs_of_a_run_and_its_tasks(run_wac, project):
    result_of(run_wac("script", "preview", "f/t/plain.py", "-d", '{"x": 4}', "-s", cwd=project))
    run_id = json.loads(run_wac("job", "list", "--json", cwd=project).stdout)[0]["id"]
    logs = run_wac("job", "logs", run_id[:8], cwd=project)
    assert logs.returncode == 0 and "workflow │ plain script got 4" in logs.stdout


def test_prune_keeps_runs_that_are_still_going(run_wac, project):
    for _ in range(3):
        result_of(run_wac("script", "preview", "f/t/plain.py", "-s", cwd=project))
    proc = start_wac(project, "script", "preview", "f/t/gate.py", "-s")
    db = wait_for(lambda: store_db(project), what="the job store")
    wait_for(lambda: db.execute("SELECT 1 FROM jobs WHERE status='approval'").fetchone(), what="the approval")
    pruned = run_wac("job", "prune", "--keep", "1", cwd=project)
    assert pruned.returncode == 0 and "Deleted 2 finished run(s)" in pruned.stderr
    statuses = sorted(r[0] for r in db.execute("SELECT status FROM jobs WHERE parent_id IS NULL"))
    assert statuses == ["approval", "success"]
    assert run_wac("job", "prune", "--older-than", "0s", cwd=project).returncode == 0
    assert [r[0] for r in db.execute("SELECT status FROM jobs WHERE parent_id IS NULL")] == ["approval"]
    bad = run_wac("job", "prune", "--older-than", "soon", cwd=project)
    assert bad.returncode == 2 and "is not an age" in bad.stderr
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_preview_mistakes_are_one_line_with_a_hint(run_wac, project):
    folder = run_wac("script", "preview", "f/t", cwd=project)
    assert folder.returncode == 2 and "f/t is a folder, not a script" in folder.stderr
    assert "wac script preview f/t/" in folder.stderr
    (project / "f/t/needs.py").write_text("def main(x: int):\n    return x\n")
    run = run_wac("script", "preview", "f/t/needs.py", "-d", '{"x": null}', cwd=project)
    assert run.returncode == 2 and "`x` is required and cannot be null" in run.stderr
    (project / "f/t/needs.script.yaml").write_text("summary: ''\n")
    metadata = run_wac("script", "preview", "f/t/needs.script.yaml", cwd=project)
    assert metadata.returncode == 2 and "is a metadata file" in metadata.stderr


def test_the_wac_folder_ignores_itself(run_wac, project):
    result_of(run_wac("script", "preview", "f/t/plain.py", "-s", cwd=project))
    assert (project / ".wac" / ".gitignore").read_text().splitlines()[-1] == "*"
