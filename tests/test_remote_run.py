"""`wac script run`: a deployed script on a `wac server`, logs streamed as they come."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import wait_for
from test_sync import wac

TALK = '''import time


def main(n: int = 3, name: str = "world"):
    for i in range(n):
        print(f"héllo {name} {i} 🎉 ünïcode", flush=True)
        time.sleep(0.3)
    return {"said": n, "emoji": "🎉"}
'''
FAIL = "def main():\n    raise ValueError('no luck')\n"
NEEDS = "def main(who: str):\n    return who\n"


@pytest.fixture
def deployed_repo(tmp_path, wac_server):
    repo = tmp_path / "repo"
    folder = repo / "f" / "demo"
    folder.mkdir(parents=True)
    (repo / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (folder / "folder.meta.yaml").write_text("display_name: demo\nowners: []\nextra_perms: {}\nsummary: null\n")
    for name, text in (("talk", TALK), ("fail", FAIL), ("needs", NEEDS)):
        (folder / f"{name}.py").write_text(text)
    assert wac("generate-metadata", "--schema-only", "--yes", cwd=repo).returncode == 0
    pushed = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    return repo


def _start(repo: Path, server, *args: str, **popen) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAC_", "WMILL_"))}
    env.update(WAC_BASE_URL=server.url, WAC_WORKSPACE="local", WAC_TOKEN=server.token, NO_COLOR="1",
               WMILL_CONFIG_DIR=str(repo.parent / "config"))
    return subprocess.Popen([sys.executable, "-m", "wac.cli", "script", "run", *args], cwd=repo, env=env, text=True,
                            **popen)


def test_logs_stream_as_they_come_then_the_result(deployed_repo, wac_server):
    run = _start(deployed_repo, wac_server, "f/demo/talk.py", "-d", '{"n": 4, "name": "zoë"}',
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
    started = time.monotonic()
    first = ""
    while "héllo" not in first:
        first = run.stdout.readline()
        assert first, run.stderr.read()
    first_at = time.monotonic() - started
    rest, errors = run.communicate(timeout=60)
    ended_at = time.monotonic() - started
    assert run.returncode == 0, errors
    assert first_at < ended_at - 0.6  # the first line came while the job still ran
    output = first + rest
    lines = [line for line in output.splitlines() if "héllo" in line]
    assert lines == [f"héllo zoë {i} 🎉 ünïcode" for i in range(4)]
    assert json.loads(output[output.index("{"):]) == {"said": 4, "emoji": "🎉"}
    assert "queued on local" in errors


def test_silent_prints_only_the_compact_result(deployed_repo, wac_server):
    done = wac("script", "run", "f/demo/talk", "-d", '{"n": 1}', "-s", cwd=deployed_repo, server=wac_server)
    assert done.returncode == 0 and done.stdout == '{"said": 1, "emoji": "🎉"}\n' and done.stderr == ""


def test_failures_not_deployed_and_missing_arguments(deployed_repo, wac_server):
    failed = wac("script", "run", "f/demo/fail", cwd=deployed_repo, server=wac_server)
    assert failed.returncode == 1 and "error: job failed: ValueError: no luck" in failed.stderr
    assert json.loads(failed.stdout[failed.stdout.index("{"):])["error"]["name"] == "ValueError"
    missing = wac("script", "run", "f/demo/nope", cwd=deployed_repo, server=wac_server)
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: script f/demo/nope is not deployed in local on http://127.0.0.1:")
    needs = wac("script", "run", "f/demo/needs", "-d", "{}", cwd=deployed_repo, server=wac_server)
    assert needs.returncode == 2 and "f/demo/needs: missing required argument `who`" in needs.stderr
    bad_json = wac("script", "run", "f/demo/needs", "-d", "{who}", cwd=deployed_repo, server=wac_server)
    assert bad_json.returncode == 2 and "not valid JSON" in bad_json.stderr


def test_ctrl_c_in_a_terminal_asks_and_cancels_the_job(deployed_repo, wac_server):
    import pty

    controller, terminal = pty.openpty()
    run = _start(deployed_repo, wac_server, "f/demo/talk", "-d", '{"n": 100}', stdin=terminal,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
    os.close(terminal)
    try:
        assert "héllo" in run.stdout.readline() + run.stdout.readline()
        run.send_signal(signal.SIGINT)
        prompt = wait_for(lambda: _read_until(run.stderr, "?"), what="the cancel prompt")
        assert "Cancel job" in prompt
        os.write(controller, b"y\n")
        assert run.wait(timeout=30) == 130
        assert "canceled" in run.stderr.read()
    finally:
        os.close(controller)
        if run.poll() is None:
            run.kill()
    jobs = wac_server.client.get("w/local/jobs/completed/list").json()
    talk = [job for job in jobs if job.get("script_path") == "f/demo/talk"]
    assert talk and talk[0]["success"] is False and talk[0].get("canceled") is True


def _read_until(stream, marker: str) -> str:
    text = ""
    while marker not in text:
        char = stream.read(1)
        if not char:
            return text
        text += char
    return text


WORKFLOW = '''from wmill import task, workflow


@task
async def shout(word: str):
    print(f"shouting {word}")
    return word.upper()


@workflow
async def main(words: list[str] = ["a", "b"]):
    print("starting")
    return [await shout(word) for word in words]
'''


def test_a_workflow_shows_its_tasks_output_as_preview_does(tmp_path, wac_server):
    repo = tmp_path / "repo"
    (repo / "f" / "demo").mkdir(parents=True)
    (repo / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (repo / "f/demo/folder.meta.yaml").write_text("display_name: demo\nowners: []\nextra_perms: {}\nsummary: null\n")
    (repo / "f/demo/wf.py").write_text(WORKFLOW)
    assert wac("generate-metadata", "--schema-only", "--yes", cwd=repo).returncode == 0
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    done = wac("script", "run", "f/demo/wf", "-d", '{"words": ["hi", "yo"]}', cwd=repo, server=wac_server)
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    assert "shout │ shouting hi" in lines and "shout_2 │ shouting yo" in lines
    assert "workflow │ starting" in lines  # the body's own output, once a round as it ran
    assert not any("WM_WAC_STEP" in line or line.startswith("--- WAC:") for line in lines)
    assert json.loads(done.stdout[done.stdout.index("["):]) == ["HI", "YO"]
