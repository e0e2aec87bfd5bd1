"""`wac server` figures, and pushing a repo to it with the real `wmill` CLI and with `wac`, in one run.

  latency     run_wait_result of a trivial script, one after another: p50 / p99
  burst       200 runs submitted at once: all complete, none lost or doubled; jobs/s
  push500     sync push of 500 scripts to an empty workspace, then the same push again (nothing to do),
              with the real wmill CLI (npm windmill-cli 1.819, installed like tests do) and with wac
  mixed500    the same with 500 items of four kinds (bench/mixed_repo.py: scripts, flows, resources,
              schedules)

    python bench/server_and_sync.py [--repeat 3] [--only server|push]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import RunningServer  # noqa: E402
from mixed_repo import make_mixed_repo  # noqa: E402
from test_server_interop import WMILL, _install_cli  # noqa: E402

# Measured as users run it: with bytecode caching (an environment that disables it would
# count recompiling wac on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

WS = "/w/local"
SCRIPTS = 500


def deploy(client: httpx.Client, path: str, content: str) -> None:
    body = {"path": path, "summary": "", "content": content, "language": "python3"}
    assert client.post(f"{WS}/scripts/create", json=body).status_code == 201


def latency(server: RunningServer, calls: int) -> tuple[float, float]:
    deploy(server.client, "f/bench/trivial", "def main(x: int = 1):\n    return x\n")
    for _ in range(10):
        server.client.post(f"{WS}/jobs/run_wait_result/p/f/bench/trivial", json={})
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        answer = server.client.post(f"{WS}/jobs/run_wait_result/p/f/bench/trivial", json={"x": i})
        samples.append(time.perf_counter() - start)
        assert answer.json() == i
    samples.sort()
    return samples[len(samples) // 2], samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def burst(server: RunningServer, runs: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(lambda i: server.client.post(f"{WS}/jobs/run/p/f/bench/trivial", json={"x": i}).text,
                            range(runs)))
    store = sqlite3.connect(server.data / "jobs.db")  # read directly: polling 200 URLs would be the bottleneck
    marks = ",".join("?" * len(ids))
    while store.execute(f"SELECT COUNT(*) FROM jobs WHERE id IN ({marks}) AND status IN"
                        " ('success','failure','canceled')", ids).fetchone()[0] < runs:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    rows = store.execute(f"SELECT id, status, result FROM jobs WHERE id IN ({marks})", ids).fetchall()
    results = sorted(int(r[2]) for r in rows if r[1] == "success")
    assert len(set(ids)) == runs and results == list(range(runs)), "a run was lost or doubled"
    return runs / elapsed


def make_repo(root: Path) -> None:
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    for i in range(SCRIPTS):
        folder = root / "f" / f"group{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "folder.meta.yaml").write_text(f"summary: null\ndisplay_name: group{i % 10}\nextra_perms: {{}}\n"
                                                 "owners: []\n")
        (folder / f"script{i}.py").write_text(f"def main(x: int = {i}):\n    return x\n")
    subprocess.run([sys.executable, "-m", "wac.cli", "generate-metadata", "--yes"], cwd=root,
                   check=True, capture_output=True)


def push(tool: str, repo: Path, server: RunningServer) -> float:
    flags = ["--base-url", server.url, "--workspace", "local", "--token", server.token]
    command = ([str(WMILL), "sync", "push", "--yes", *flags] if tool == "wmill"
               else [sys.executable, "-m", "wac.cli", "sync", "push", "--yes", *flags])
    start = time.perf_counter()
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1800,
                          env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tool} sync push failed:\n{re.sub(chr(27) + r'[^m]*m', '', done.stdout + done.stderr)[-2000:]}")
    return elapsed


def server_figures(data: Path, base: Path, calls: int, figures: dict[str, list[float]]) -> None:
    server = RunningServer(data, base)
    try:
        p50, p99 = latency(server, calls)
        figures.setdefault("latency p50 (ms)", []).append(p50 * 1000)
        figures.setdefault("latency p99 (ms)", []).append(p99 * 1000)
        figures.setdefault("burst 200 (jobs/s)", []).append(burst(server, 200))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--only", choices=("server", "push"), help="Measure only these figures.")
    args = parser.parse_args()
    have_cli = _install_cli()
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        repos = {"push500": base / "repo", "mixed500": base / "mixed"}
        repos["push500"].mkdir()
        make_repo(repos["push500"])
        make_mixed_repo(repos["mixed500"], 500)
        for i in range(args.repeat):
            if args.only != "push":
                server_figures(base / f"data{i}", base, args.calls, figures)
            for (what, repo), tool in ((pair, tool) for pair in repos.items() for tool in ("wmill", "wac")):
                if args.only == "server" or (tool == "wmill" and not have_cli):
                    continue
                server = RunningServer(base / f"{what}-{tool}{i}", base)
                try:
                    figures.setdefault(f"{tool} {what} (s)", []).append(push(tool, repo, server))
                    figures.setdefault(f"{tool} {what} again (s)", []).append(push(tool, repo, server))
                finally:
                    server.stop()
    print(f"medians of {args.repeat} runs")
    med = {name: statistics.median(values) for name, values in figures.items()}
    for name, value in med.items():
        print(f"  {name:24s} {value:9.3f}")
    for what in ("push500", "push500 again", "mixed500", "mixed500 again"):
        if f"wmill {what} (s)" in med and f"wac {what} (s)" in med:
            ratio = med[f"wac {what} (s)"] / med[f"wmill {what} (s)"]
            print(f"  wac / wmill {what:14s} {ratio:6.2f}x   goal <= 0.5x")


if __name__ == "__main__":
    if shutil.which("node") is None:
        print("note: no node: the wmill CLI side is skipped", file=sys.stderr)
    main()
