"""The server's pages in a real browser: Debian's chromium, driven by Playwright.

Skipped when chromium or the playwright package is missing (`.ci/run` installs both).
"""

from __future__ import annotations

import shutil
import time

import pytest

from conftest import start_wac, store_db, wait_for
from test_server_api import GATE, WS, deploy, finished

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(tmp_path):
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def sign_in(page, server) -> None:
    page.goto(server.url)
    assert page.url.endswith("/login")
    page.fill("input[name=token]", server.token)
    page.click("button")
    page.wait_for_url(server.url)


def test_runs_and_a_run_with_its_timeline_and_logs(wac_server, page):
    client = wac_server.client
    deploy(client, "f/demo/flow", "import time\nfrom wmill import task, workflow\n\n\n@task\nasync def fetch(i: int):\n"
                                  "    print(f'fetched {i}')\n    time.sleep(0.3)\n    return i\n\n\n@workflow\n"
                                  "async def main(n: int = 2):\n    return [await fetch(i) for i in range(n)]\n")
    run_id = client.post(f"{WS}/jobs/run/p/f/demo/flow", json={"n": 3}).text
    sign_in(page, wac_server)
    page.goto(wac_server.url + "run/" + run_id)  # while it runs: the page follows it live
    page.wait_for_selector("#status.success", timeout=30_000)
    assert page.inner_text("#result").strip() == "[\n  0,\n  1,\n  2\n]"
    timeline = page.inner_text("#timeline")
    assert all(key in timeline for key in ("fetch", "fetch_2", "fetch_3"))
    assert page.locator(".bar span").count() == 3
    assert "fetched 2" in page.inner_text("#run")
    page.goto(wac_server.url)
    assert "f/demo/flow" in page.inner_text("table") and "success" in page.inner_text("table")


def test_a_flow_runs_page_draws_its_loops_with_their_iterations_under_them(wac_server, page):
    step = {"type": "rawscript", "language": "python3", "content": "def main(x):\n    return x * 2\n",
            "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.iter.value"}}}
    loop = {"id": "each", "value": {"type": "forloopflow", "iterator": {"type": "javascript", "expr": "[1, 2, 3]"},
                                    "skip_failures": False, "modules": [{"id": "double", "value": step}]}}
    run_id = wac_server.client.post(f"{WS}/jobs/run/preview_flow", json={"value": {"modules": [loop]}, "args": {},
                                                                          "path": "f/demo/loop"}).text
    sign_in(page, wac_server)
    page.goto(wac_server.url + "run/" + run_id)
    page.wait_for_selector("#status.success", timeout=30_000)
    cells = page.locator("#timeline tr td:first-child")
    assert cells.all_inner_texts() == ["each (loop, 3 iterations)", "double [0]", "double [1]", "double [2]"]
    indents = [cell.evaluate("c => parseFloat(getComputedStyle(c).paddingLeft)") for cell in cells.all()]
    assert indents[0] < indents[1] == indents[2] == indents[3]


def test_the_approval_page_resumes_a_deployed_run(wac_server, page):
    client = wac_server.client
    deploy(client, "f/demo/gate", GATE)
    run_id = client.post(f"{WS}/jobs/run/p/f/demo/gate", json={"env": "staging"}).text
    url = client.get(f"{WS}/jobs/resume_urls/{run_id}/42").json()["approvalPage"]
    page.goto(url)
    deadline = time.monotonic() + 30
    while page.locator("#approve").count() == 0 and time.monotonic() < deadline:  # until the run reaches it
        page.reload()
    assert "manager" in page.inner_text("body")
    page.fill("input[name=reason]", "ship it")
    page.click("#approve")
    page.wait_for_selector("text=Approved: the run continues.")
    assert finished(client, run_id)["result"] == "shipped staging"
    page.goto(url)
    assert "Nothing waits for approval" in page.inner_text("#state")


def test_a_waiting_preview_is_approved_from_its_page(tmp_path, project, page):
    """`get_resume_urls()` in a preview points at the repo's server: approving there lets the preview go on."""
    from conftest import RunningServer

    server = RunningServer(None, project)  # started inside the repo: it shares the job store
    try:
        (project / "f/t/urls.py").write_text(
            "from wmill import get_resume_urls, step, task, wait_for_approval, workflow\n\n\n"
            "@task\nasync def ship():\n    return 'shipped'\n\n\n@workflow\nasync def main():\n"
            "    urls = await step('urls', lambda: get_resume_urls())\n"
            "    print('approve at', urls['approvalPage'])\n"
            "    answer = await wait_for_approval(timeout=600)\n"
            "    return await ship() if answer['approved'] else 'rejected'\n")
        proc = start_wac(project, "script", "preview", "f/t/urls.py", "-s")
        db = wait_for(lambda: store_db(project), what="the job store")
        wait_for(lambda: db.execute("SELECT 1 FROM jobs WHERE status='approval'").fetchone(), what="the approval")
        urls = db.execute("SELECT value FROM steps WHERE key='urls'").fetchone()[0]
        import json

        page.goto(json.loads(urls)["approvalPage"])
        assert page.url.startswith(server.url)
        page.click("#approve")
        page.wait_for_selector("text=Approved: the run continues.")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and json.loads(out) == "shipped", err
    finally:
        server.stop()


def test_the_workspace_page_lists_what_a_push_deployed_by_kind(tmp_path, wac_server, page):
    import shutil as _shutil

    from conftest import FIXTURES
    from test_sync import wac

    repo = tmp_path / "repo"
    _shutil.copytree(FIXTURES / "mixed" / "committed", repo)
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    sign_in(page, wac_server)
    page.click("text=Workspace")
    page.wait_for_url(wac_server.url + "workspace")
    assert "flows (2)" in page.inner_text("#flow") and "schedules (1)" in page.inner_text("#schedule")
    text = page.inner_text("body")
    assert all(path in text for path in ("f/etl/daily", "f/etl/nightly", "f/etl/warehouse", "f/lib/helper"))
    assert "Nightly ETL" in text
