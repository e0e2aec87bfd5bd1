"""Local executor speed, side by side with DBOS (SQLite) and Prefect (ephemeral server).

Scenarios (each the median of --repeat runs, in this one process):
  seq40     40 lightweight tasks (fib(10)) in sequence, each its own job   vs Prefect 40 tasks
  steps400  400 sequential step() calls                                     vs DBOS 400 steps
  seq1000   1,000 sequential tasks (growth: at most 30x the time of seq40)
  par100    100 tasks of 0.2 s in parallel(..., concurrency=8), --workers 8 (ideal ~2.5 s)
"wall" is the whole command (interpreter start included); "run" is the workflow alone,
timed inside the process, which is the fairer comparison with the peers' in-process runs.

Peers are installed once into ~/.cache/wac-bench/{dbos,prefect} (PyPI). Prefect 3.8 needs a
FastAPI older than its metadata says (0.165 removed `min_items`), so it is pinned below 0.120.

    python bench/executor_vs_peers.py [--repeat 3] [--no-peers]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PEERS = Path.home() / ".cache" / "wac-bench"
PEER_PACKAGES = {"dbos": ["dbos"], "prefect": ["prefect"]}
PREFECT_FIX = ["fastapi<0.120", "starlette<0.49"]

WAC_SCRIPTS = {
    "seq": '''
        from wmill import task, workflow

        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        @task
        async def compute(i: int):
            return fib(10) + i

        @workflow
        async def main(n: int = 40):
            total = 0
            for i in range(n):
                total += await compute(i)
            return total
    ''',
    "steps": '''
        from wmill import step, workflow

        @workflow
        async def main(n: int = 400):
            total = 0
            for i in range(n):
                total += await step("one", lambda: i)
            return total
    ''',
    "par": '''
        import time
        from wmill import parallel, task, workflow

        @task
        async def nap(i: int):
            time.sleep(0.2)
            return i

        @workflow
        async def main(n: int = 100):
            return sum(await parallel(list(range(n)), lambda i: nap(i), concurrency=8))
    ''',
}
WAC_INPROCESS = '''
import json, sys, time
from pathlib import Path
from wac.sdk._engine.scheduler import Executor, Settings
ex = Executor(Path(sys.argv[1]), Path(sys.argv[2]), Path("."), Settings(workers=int(sys.argv[4])))
rid = ex.create_run(json.loads(sys.argv[3]))
ex._load()
t = time.perf_counter(); status = ex.run(rid); print(f"run {time.perf_counter() - t:.4f} {status}")
'''
DBOS_STEPS = '''
import sys, time
from dbos import DBOS
DBOS(config={"name": "bench", "system_database_url": f"sqlite:///{sys.argv[2]}"})

@DBOS.step()
def one(i: int) -> int:
    return i

@DBOS.workflow()
def many(n: int) -> int:
    return sum(one(i) for i in range(n))

DBOS.launch()
t = time.perf_counter(); many(int(sys.argv[1])); print(f"run {time.perf_counter() - t:.4f}")
DBOS.destroy()
'''
PREFECT_TASKS = '''
import sys, time
from prefect import flow, task

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

@task
def compute(i: int) -> int:
    return fib(10) + i

@flow
def many(n: int) -> int:
    return sum(compute(i) for i in range(n))

t = time.perf_counter(); many(int(sys.argv[1])); print(f"run {time.perf_counter() - t:.4f}")
'''


def ensure_peer(name: str) -> Path:
    venv = PEERS / name
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES[name]], check=True)
        if name == "prefect":
            subprocess.run([str(python), "-m", "pip", "install", "-q", *PREFECT_FIX], check=True)
    return python


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, in-process run seconds printed as `run X`)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{done.stderr[-2000:]}")
    match = re.search(r"^run ([0-9.]+)", done.stdout, re.M)
    return wall, float(match.group(1)) if match else float("nan")


def median_pair(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (project / ".git").mkdir()
        (project / "f" / "bench").mkdir(parents=True)
        for name, body in WAC_SCRIPTS.items():
            (project / "f" / "bench" / f"{name}.py").write_text(textwrap.dedent(body))
        store = project / ".wac" / "bench.db"
        inproc = project / "inproc.py"
        inproc.write_text(WAC_INPROCESS)

        def wac(script: str, data: str, workers: int = 2) -> tuple[float, float]:
            wall, _ = timed([sys.executable, "-m", "wac.cli", "script", "preview", f"f/bench/{script}.py",
                             "-d", data, "-s", "--workers", str(workers), "--store", str(store)], project)
            _, run = timed([sys.executable, str(inproc), str(store), f"f/bench/{script}.py", data, str(workers)],
                           project)
            return wall, run

        wac("seq", '{"n": 1}')  # warm the analysis caches once per script
        wac("steps", '{"n": 1}')
        rows = {
            "seq40": median_pair([wac("seq", '{"n": 40}') for _ in range(args.repeat)]),
            "steps400": median_pair([wac("steps", '{"n": 400}') for _ in range(args.repeat)]),
            "seq1000": median_pair([wac("seq", '{"n": 1000}') for _ in range(max(1, args.repeat // 2))]),
            "par100": median_pair([wac("par", '{"n": 100}', workers=8) for _ in range(args.repeat)]),
        }
        peers: dict[str, tuple[float, float]] = {}
        if not args.no_peers:
            dbos = ensure_peer("dbos")
            (project / "dbos_steps.py").write_text(DBOS_STEPS)
            peers["steps400"] = median_pair([
                timed([str(dbos), "dbos_steps.py", "400", str(project / f"dbos{i}.sqlite")], project)
                for i in range(args.repeat)])
            prefect = ensure_peer("prefect")
            (project / "prefect_tasks.py").write_text(PREFECT_TASKS)
            env = {**os.environ, "PREFECT_HOME": str(project / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING",
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
            peers["seq40"] = median_pair([timed([str(prefect), "prefect_tasks.py", "40"], project, env)
                                          for _ in range(args.repeat)])
    print(f"median of {args.repeat} runs, seconds (wall = whole command; run = workflow only)")
    print(f"  {'scenario':10s} {'wac wall':>9s} {'wac run':>8s} {'peer':>8s} {'peer wall':>10s} {'peer run':>9s}")
    names = {"seq40": "prefect", "steps400": "dbos"}
    for scenario, (wall, run) in rows.items():
        peer = peers.get(scenario)
        extra = f" {names[scenario]:>8s} {peer[0]:10.3f} {peer[1]:9.3f}" if peer else ""
        print(f"  {scenario:10s} {wall:9.3f} {run:8.3f}{extra}")
    seq40, seq1000 = rows["seq40"][1], rows["seq1000"][1]
    print(f"  growth: seq1000 / seq40 run = {seq1000 / seq40:.1f}x (target <= 30x)")
    if "steps400" in peers:
        print(f"  steps400: wac / dbos run = {rows['steps400'][1] / peers['steps400'][1]:.3f} (target <= 0.5)")
    if "seq40" in peers:
        print(f"  seq40: wac / prefect wall = {rows['seq40'][0] / peers['seq40'][0]:.3f} (wac wall target < 0.5 s)")
    print(f"  par100: {rows['par100'][1]:.2f} s run vs ideal 100/8 x 0.2 = 2.50 s")


if __name__ == "__main__":
    main()
