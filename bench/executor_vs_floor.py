"""Local executor speed, side by side with the fork+SQLite floor and with DBOS, in one run.

Scenarios (medians of --repeat runs; every wac figure is the whole `wac script preview`
process, interpreter start included):
  floor40     a script that forks one process per task from an imported module; each
              child commits its result, the parent commits a checkpoint row (40 tasks)
  seq40       40 sequential tasks, nothing changed since the last run   (goal <= 1.5x floor40)
  seq40-edit  the same, the script edited before each run (lint + schema recomputed)
                                                                        (goal <= 2.5x floor40)
  steps400    400 step() calls, vs DBOS's time for 400 steps inside its workflow
                                                                        (goal <= 0.15x dbos)
  seq1000     1,000 sequential tasks                                    (goal <= 26x seq40)
  par100      100 tasks of 0.2 s, parallel(..., concurrency=8), --workers 8; the SDK runs batches
              of 8 (each awaited whole), so the ideal is 13 batches x 0.2 s = 2.6 s (goal <= 1.3x)

DBOS is installed once into ~/.cache/wac-bench/dbos (PyPI); --no-peers skips it.

    python bench/executor_vs_floor.py [--repeat 5] [--no-peers]
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

# Measured as users run it: with bytecode caching (an environment that disables it would
# count recompiling wac on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

PEERS = Path.home() / ".cache" / "wac-bench"

SCRIPTS = {
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
FLOOR = '''
import json, os, sqlite3, sys

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def compute(i):
    return fib(10) + i

def connect(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db

path, n = sys.argv[1], int(sys.argv[2])
parent = connect(path)
parent.execute("CREATE TABLE IF NOT EXISTS results(k TEXT PRIMARY KEY, v TEXT)")
parent.execute("CREATE TABLE IF NOT EXISTS checkpoint(k TEXT PRIMARY KEY, v TEXT)")
parent.execute("DELETE FROM results"); parent.execute("DELETE FROM checkpoint")
total = 0
for i in range(n):
    pid = os.fork()
    if pid == 0:
        child = connect(path)
        child.execute("BEGIN IMMEDIATE")
        child.execute("INSERT INTO results VALUES (?, ?)", (f"t{i}", json.dumps(compute(i))))
        child.execute("COMMIT")
        os._exit(0)
    os.waitpid(pid, 0)
    value = parent.execute("SELECT v FROM results WHERE k=?", (f"t{i}",)).fetchone()[0]
    parent.execute("BEGIN IMMEDIATE")
    parent.execute("INSERT INTO checkpoint VALUES (?, ?)", (f"t{i}", value))
    parent.execute("COMMIT")
    total += json.loads(value)
print(total)
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


def ensure_dbos() -> Path:
    venv = PEERS / "dbos"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "dbos"], check=True)
    return python


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:5])} failed:\n{done.stderr[-2000:]}")
    return wall, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (project / ".git").mkdir()
        (project / "f" / "bench").mkdir(parents=True)
        for name, body in SCRIPTS.items():
            (project / "f" / "bench" / f"{name}.py").write_text(textwrap.dedent(body))
        (project / "floor.py").write_text(FLOOR)
        seq = project / "f" / "bench" / "seq.py"
        original = seq.read_text()

        def wac(script: str, data: str, *extra: str) -> float:
            return timed([sys.executable, "-m", "wac.cli", "script", "preview", f"f/bench/{script}.py", "-d", data,
                          "-s", *extra], project)[0]

        def edited(n: int) -> float:
            seq.write_text(original + f"\n# edit {n} {time.time()}\n")
            return wac("seq", '{"n": 40}')

        wac("seq", '{"n": 1}')
        wac("steps", '{"n": 1}')
        samples: dict[str, list[float]] = {name: [] for name in ("floor40", "seq40", "seq40-edit", "steps400")}
        for i in range(args.repeat):  # interleaved, so machine noise hits every scenario alike
            samples["floor40"].append(timed([sys.executable, "floor.py", str(project / "floor.db"), "40"], project)[0])
            seq.write_text(original)
            wac("seq", '{"n": 1}')
            samples["seq40"].append(wac("seq", '{"n": 40}'))
            samples["seq40-edit"].append(edited(i))
            samples["steps400"].append(wac("steps", '{"n": 400}'))
        seq.write_text(original)
        wac("seq", '{"n": 1}')
        samples["seq1000"] = [wac("seq", '{"n": 1000}') for _ in range(max(1, args.repeat // 2))]
        samples["par100"] = [wac("par", '{"n": 100}', "--workers", "8") for _ in range(max(1, args.repeat // 2))]
        dbos = None
        if not args.no_peers:
            python = ensure_dbos()
            (project / "dbos_steps.py").write_text(DBOS_STEPS)
            runs = [timed([str(python), "dbos_steps.py", "400", str(project / f"dbos{i}.sqlite")], project)[1]
                    for i in range(args.repeat)]
            dbos = statistics.median(float(re.search(r"run ([0-9.]+)", out).group(1)) for out in runs)
    med = {name: statistics.median(values) for name, values in samples.items()}
    print(f"medians of {args.repeat} runs (seconds, whole process)")
    for name, value in med.items():
        print(f"  {name:11s} {value:7.3f}")
    if dbos is not None:
        print(f"  {'dbos400':11s} {dbos:7.3f}   (400 steps inside DBOS's workflow, in-process)")
    print("ratios")
    print(f"  seq40 / floor40        {med['seq40'] / med['floor40']:6.2f}x   goal <= 1.5x")
    print(f"  seq40-edit / floor40   {med['seq40-edit'] / med['floor40']:6.2f}x   goal <= 2.5x")
    if dbos is not None:
        print(f"  steps400 / dbos400     {med['steps400'] / dbos:6.2f}x   goal <= 0.15x")
    print(f"  seq1000 / seq40        {med['seq1000'] / med['seq40']:6.2f}x   goal <= 26x")
    ideal = -(-100 // 8) * 0.2
    print(f"  par100 / ideal         {med['par100'] / ideal:6.2f}x   goal <= 1.3x (ideal {ideal:.2f} s: 13 batches of 8"
          " x 0.2 s)")


if __name__ == "__main__":
    main()
