"""Windmill's own flow tests, run by `wac flow preview`: the flows and asserted results of its backend
tests (fixtures/flows/windmill_cases.json; JavaScript kept exactly, Deno steps rewritten in Python)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURES, start_wac, store_db, wait_for

CASES = json.loads((FIXTURES / "flows" / "windmill_cases.json").read_text())["cases"]


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    (target / "f" / "t").mkdir(parents=True)
    (target / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    return target


def contains(expected, actual) -> bool:
    """`expected` within `actual`: objects by their keys, lists element by element (same length)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(contains, expected, actual))
    return expected == actual


def run_case(case, repo, tmp_path):
    folder = repo / "f" / "t" / f"{case['name']}.flow"
    folder.mkdir()
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": case["name"], "value": case["flow"]}))
    args = json.loads(json.dumps(case["args"]))
    state = tmp_path / "state.json"
    if "setup" in case:
        state.write_text(json.dumps(case["setup"]["state_file"]))
        args = {k: (str(state) if v == "<STATE_FILE>" else v) for k, v in args.items()}
    target = f"f/t/{case['name']}.flow"
    if "resume_events" not in case:
        done = subprocess.run([sys.executable, "-m", "wac.cli", "flow", "preview", target, "-d", json.dumps(args),
                               "-s"], cwd=repo, capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        return done.returncode == 0, json.loads(done.stdout), state
    return (*answered(case, repo, target, args), state)


def answered(case, repo, target, args):
    """A suspending flow run in the background, its approvals answered as the test's events say (through
    the engine's API, as a resume URL answers: an approver only when the event names one)."""
    from wac.sdk.engine import open_store

    proc = start_wac(repo, "flow", "preview", target, "-d", json.dumps(args), "-s")
    run_id = wait_for(lambda: _run_id(repo), what="the run")
    for events in case["resume_events"].values():
        for event in events:
            wait_for(lambda: _status(repo, run_id) in ("approval", "success", "failure"), what="an approval")
            if _status(repo, run_id) != "approval":
                break
            store = open_store(repo / ".wac" / "jobs.db")
            try:
                store.answer_approval(run_id, event["approved"], event["payload"], event.get("approver"))
            finally:
                store.close()
            wait_for(lambda: _status(repo, run_id) != "approval", what="the answer taken")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err
    return proc.returncode == 0, json.loads(out)


def _status(repo, run_id):
    return store_db(repo).execute("SELECT status FROM jobs WHERE id=?", (run_id,)).fetchone()[0]


def _run_id(repo):
    try:
        row = store_db(repo).execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()
    except Exception:
        return None
    return row[0] if row else None


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_windmill_flow_case(case, repo, tmp_path):
    success, result, state = run_case(case, repo, tmp_path)
    expected = case["expected"]
    assert success == expected["success"], json.dumps(result)[:2000]
    if "result" in expected:
        if expected.get("match") == "subset":
            assert contains(expected["result"], result), json.dumps(result)[:2000]
        else:
            assert result == expected["result"]
    if "result_contains" in expected:
        assert expected["result_contains"] in json.dumps(result), json.dumps(result)[:2000]
    if "result_path_contains" in expected:
        node = result
        for key in expected["result_path_contains"]["path"]:
            node = node[key]
        assert expected["result_path_contains"]["contains"] in str(node)
    if "state_received" in expected:
        assert json.loads(state.read_text())["received"] == expected["state_received"]
