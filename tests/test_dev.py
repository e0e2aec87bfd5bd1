"""`wac dev`: on every save that matters the script runs again, one line per run; a save during a run
cancels it; a lint error is one line and the loop goes on; with no path, lint and stale metadata."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import store_db

SLOW = '''import time
from wmill import task, workflow


@task
async def work(n: int):
    time.sleep({delay})
    return n * {factor}


@workflow
async def main(n: int):
    return await work(n)
'''
APPROVAL = """from wmill import wait_for_approval, workflow


@workflow
async def main(n: int):
    answer = await wait_for_approval(timeout=600)
    return f"{n} approved by {answer['approver']}" if answer["approved"] else "rejected"
"""
HELPER = "def helper():\n    return {value}\n"
USES_HELPER = '''from wmill import task, workflow

from f.dev.helper import helper


@task
async def compute():
    return helper()


@workflow
async def main():
    return await compute()
'''


class Dev:
    """A `wac dev` process whose stdout lines arrive on a queue."""

    def __init__(self, repo, *args):
        env = {**os.environ, "NO_COLOR": "1", "PIP_CONFIG_FILE": os.devnull}
        self.process = subprocess.Popen([sys.executable, "-m", "wac.cli", "dev", *args], cwd=repo, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for text in self.process.stdout:
            self.lines.put(text.rstrip("\n"))

    def next(self, timeout=60.0) -> str:
        return self.lines.get(timeout=timeout)

    def run_line(self) -> list[str]:
        """The next run line, split: time, path, status, duration, shown."""
        while True:
            text = self.next()
            if not text.startswith("watching"):
                return text.split("  ", 4)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "f" / "dev").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    return root


def save(path, text):
    time.sleep(0.3)  # the watcher sees one save, not the write of the previous one
    path.write_text(text)


def test_each_save_runs_again_and_a_save_during_a_run_cancels_it(repo):
    script = repo / "f/dev/slow.py"
    script.write_text(SLOW.format(delay=0, factor=2))
    dev = Dev(repo, "f/dev/slow.py", "-d", '{"n": 21}', "--env", "current")
    try:
        first = dev.run_line()
        assert (first[1], first[2], first[4]) == ("f/dev/slow.py", "success", "42"), first
        save(script, SLOW.format(delay=30, factor=3))  # a long run...
        time.sleep(2)
        save(script, SLOW.format(delay=0, factor=4))  # ...cut short by the next save
        first, second = dev.run_line(), dev.run_line()
        assert first[2] == "canceled", first
        assert (second[2], second[4]) == ("success", "84"), second
    finally:
        assert dev.stop() == 0
    statuses = [row[0] for row in store_db(repo).execute("SELECT status FROM jobs WHERE parent_id IS NULL "
                                                         "ORDER BY created_at")]
    assert statuses == ["success", "canceled", "success"]


def test_a_lint_error_is_one_line_and_the_next_good_save_runs(repo):
    script = repo / "f/dev/slow.py"
    script.write_text("def main(:\n")
    dev = Dev(repo, "f/dev/slow.py", "-d", '{"n": 1}', "--env", "current")
    try:
        bad = dev.run_line()
        assert bad[2] == "not run" and bad[4].startswith("f/dev/slow.py:1:10 WAC001 syntax error"), bad
        save(script, SLOW.format(delay=0, factor=5))
        good = dev.run_line()
        assert (good[2], good[4]) == ("success", "5"), good
    finally:
        dev.stop()


def test_a_save_of_an_imported_script_or_the_args_file_runs_again_and_others_do_not(repo):
    (repo / "f/dev/helper.py").write_text(HELPER.format(value=1))
    (repo / "f/dev/uses.py").write_text(USES_HELPER)
    (repo / "f/dev/unrelated.py").write_text("def main():\n    return 0\n")
    dev = Dev(repo, "f/dev/uses.py", "--env", "current")
    try:
        assert dev.run_line()[2] == "success"
        save(repo / "f/dev/unrelated.py", "def main():\n    return 1\n")
        save(repo / "f/dev/helper.py", HELPER.format(value=2))
        ran = dev.run_line()
        assert (ran[2], ran[4]) == ("success", "2"), ran  # the unrelated save ran nothing
    finally:
        dev.stop()


def test_the_args_file_is_watched(repo):
    (repo / "f/dev/slow.py").write_text(SLOW.format(delay=0, factor=10))
    (repo / "args.json").write_text('{"n": 1}')
    dev = Dev(repo, "f/dev/slow.py", "-d", "@args.json", "--env", "current")
    try:
        assert dev.run_line()[4] == "10"
        save(repo / "args.json", '{"n": 7}')
        assert dev.run_line()[4] == "70"
    finally:
        dev.stop()


def test_without_a_path_each_save_is_linted_and_stale_metadata_listed(repo):
    dev = Dev(repo)
    try:
        assert dev.next().startswith("watching ")
        save(repo / "f/dev/new.py", "import random\nfrom wmill import workflow\n\n\n@workflow\n"
                                    "async def main():\n    return random.random()\n")
        seen = [dev.next()]
        while "~ f/dev/new.py" not in seen[-1]:
            seen.append(dev.next())
        output = "\n".join(seen)
        assert "wac lint\nf/dev/new.py\n  7:12  error  WAC101" in output
        assert "wac generate-metadata" in output and "~ f/dev/new.py — content changed" in output
    finally:
        dev.stop()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_the_live_page_follows_each_save_without_reloading(repo):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    script = repo / "f/dev/slow.py"
    script.write_text(SLOW.format(delay=0, factor=2))
    dev = Dev(repo, "f/dev/slow.py", "-d", '{"n": 21}', "--env", "current", "--port", "0")
    try:
        url = re.search(r"live page at (\S+)", dev.next()).group(1)
        assert dev.run_line()[4] == "42"
        with sync_api.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("#status.success")
            assert page.inner_text("#result").strip() == "42"
            assert "work" in page.inner_text("#timeline")
            page.evaluate("window.notReloaded = true")
            save(script, SLOW.format(delay=0, factor=3))
            page.wait_for_function("document.getElementById('result') && "
                                   "document.getElementById('result').innerText.trim() === '63'", timeout=30_000)
            save(script, "def main(:\n")
            page.wait_for_selector("#lint", timeout=30_000)
            assert "WAC001 syntax error" in page.inner_text("#lint")
            save(script, APPROVAL)  # waits for an answer (not timed out by the fast-forward), given on the page
            page.click("#approve", timeout=30_000)
            page.wait_for_function("document.getElementById('result') && "
                                   "document.getElementById('result').innerText.includes('approved by')",
                                   timeout=30_000)
            assert page.evaluate("window.notReloaded") is True
            # the run's line comes when its process ends, a moment after the store has its result
            page.wait_for_function("document.querySelectorAll('#runs tr').length === 4", timeout=30_000)
            browser.close()
    finally:
        dev.stop()


def test_a_flow_reruns_when_one_of_its_step_files_is_saved(repo):
    folder = repo / "f/dev/twice.flow"
    folder.mkdir()
    (folder / "a.inline_script.py").write_text("def main(x):\n    return x * 2\n")
    (folder / "flow.yaml").write_text(json.dumps({"summary": "", "value": {"modules": [
        {"id": "a", "value": {"type": "rawscript", "language": "python3", "content": "!inline a.inline_script.py",
                              "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}}}]},
        "schema": {"type": "object", "properties": {}}}))
    dev = Dev(repo, "f/dev/twice.flow", "-d", '{"x": 4}', "--no-page")
    try:
        first = dev.run_line()
        assert (first[1], first[2], first[4]) == ("f/dev/twice.flow", "success", "8"), first
        save(folder / "a.inline_script.py", "def main(x):\n    return x * 3\n")
        assert dev.run_line()[4] == "12"
    finally:
        dev.stop()


def test_after_a_save_the_preview_finds_its_checks_done_and_does_not_load_the_parser(repo):
    script = repo / "f" / "dev" / "uses.py"
    (repo / "f" / "dev" / "helper.py").write_text(HELPER.format(value=7))
    script.write_text(USES_HELPER + "# edited\n")
    from wac.cli.dev import Target

    Target(script, repo, None).check_ahead()  # what `wac dev` does on a save, before the preview starts
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "wac.cli", "script", "preview", "f/dev/uses.py",
                          "-s"], cwd=repo, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and json.loads(run.stdout) == 7, run.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time")}
    assert "libcst" not in imported and "wac.parser._lint" not in imported
