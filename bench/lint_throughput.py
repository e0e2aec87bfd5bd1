"""Parse + lint throughput, and the speed-up of an unchanged (cached) re-run.

Generates N typical WAC scripts (~40 lines each) in a temp folder, then:
  - cold: lint every file, no cache (in-process, 1 worker and all workers)
  - cli:  the whole `wac lint` command, cold and then warm (cache hit)
Prints the median of --repeat runs for each figure.

    python bench/lint_throughput.py [--files 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wac.cli.linting import LintCache, lint_paths

# Measured as users run it: with bytecode caching (an environment that disables it would
# count recompiling wac on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

TEMPLATE = '''import uuid
from datetime import datetime

from wmill import parallel, sleep, step, task, workflow


@task(timeout=60, tag="etl{i}")
async def fetch_{i}(page: int):
    rows = [{{"page": page, "row": row}} for row in range(10)]
    return rows


@task
async def transform_{i}(rows: list):
    total = sum(r["row"] for r in rows)
    return {{"count": len(rows), "total": total}}


@task
async def notify_{i}(message: str):
    print(f"notify: {{message}}")
    return "sent"


@workflow
async def main(pages: int = {i}, label: str = "run"):
    run_id = await step("run_id", lambda: str(uuid.uuid4()))
    started = await step("started", lambda: datetime.now().isoformat())
    fetched = await parallel(list(range(pages)), lambda p: fetch_{i}(p), concurrency=4)
    results = []
    for rows in fetched:
        results.append(await transform_{i}(rows))
    if len(results) > 3:
        await sleep(1)
    await notify_{i}(f"{{label}} {{run_id}} {{len(results)}} since {{started}}")
    return {{"run_id": run_id, "results": results}}
'''


def make_repo(root: Path, count: int) -> None:
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    folder = root / "f" / "bench"
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"script_{i}.py").write_text(TEMPLATE.format(i=i))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root, args.files)
        lines = len(TEMPLATE.format(i=0).splitlines())
        target = [root / "f"]
        one = [timed(lambda: lint_paths(target, jobs=1)) for _ in range(args.repeat)]
        many = [timed(lambda: lint_paths(target, jobs=None)) for _ in range(args.repeat)]
        cache_file = root / "cache.json"
        cold, warm = [], []
        for _ in range(args.repeat):
            cache_file.unlink(missing_ok=True)
            cold.append(timed(lambda: lint_paths(target, cache=LintCache(cache_file))))
            warm.append(timed(lambda: lint_paths(target, cache=LintCache(cache_file))))
        cli = [sys.executable, "-m", "wac.cli", "lint", "f"]
        cli_cold = [timed(lambda: subprocess.run([*cli, "--no-cache"], cwd=root, capture_output=True))
                    for _ in range(args.repeat)]
        subprocess.run(cli, cwd=root, capture_output=True)
        cli_warm = [timed(lambda: subprocess.run(cli, cwd=root, capture_output=True)) for _ in range(args.repeat)]

    n = args.files
    med = statistics.median
    print(f"{n} scripts of {lines} lines, median of {args.repeat} runs")
    print(f"  parse+lint, 1 process        {med(one):7.3f} s  {n / med(one):7.0f} files/s")
    print(f"  parse+lint, all cores        {med(many):7.3f} s  {n / med(many):7.0f} files/s")
    print(f"  cached run: cold / unchanged {med(cold):7.3f} s / {med(warm):.3f} s  "
          f"= {med(cold) / med(warm):.0f}x faster")
    print(f"  `wac lint` command: cold / unchanged  {med(cli_cold):.3f} s / {med(cli_warm):.3f} s "
          f"= {med(cli_cold) / med(cli_warm):.1f}x (includes ~interpreter start)")


if __name__ == "__main__":
    main()
