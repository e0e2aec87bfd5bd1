"""Preview in a locked environment: creating it, reusing it, and the cost over `--env current`.

A script importing a handful of small packages (real wheels built into a local
folder, so this runs offline) is previewed, each round with a fresh user cache:
  first     the environment is created (uv), the lock resolved (pip-tools)
  second    the same preview again: environment and lock reused
  current   the same workflow without third-party imports, `--env current`, warm
            (wac's own environment; the floor the reuse is compared with)
The overhead of a reused environment is `second - current` (goal: under 50 ms).

    python bench/preview_envs.py [--repeat 5] [--packages 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from wheels import build_wheel  # noqa: E402

# Measured as users run it: with bytecode caching.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

WORKFLOW = '''{imports}
from wmill import task, workflow


@task
async def work(n: int) -> int:
    return n * 2


@workflow
async def main():
    return [await work(i) for i in range(3)]
'''


def preview(root: Path, script: str, cache: Path, *extra: str) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wac.cli", "script", "preview", script, "-s", *extra],
                          cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"preview {script} failed:\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--packages", type=int, default=5)
    args = parser.parse_args()
    names = [f"benchpkg{i}" for i in range(args.packages)]
    figures: dict[str, list[float]] = {"first": [], "second": [], "current": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheels = tmp / "wheels"
        for name in names:
            build_wheel(wheels, name, "1.0.0")
        build_wheel(wheels, "wmill", "1.850.0")
        root = tmp / "repo"
        (root / "f" / "bench").mkdir(parents=True)
        (root / ".git").mkdir()
        (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (root / "f/bench/deps.py").write_text(WORKFLOW.format(imports="\n".join(f"import {n}" for n in names)))
        (root / "f/bench/plain.py").write_text(WORKFLOW.format(imports=""))
        offline = ("--no-index", "--find-links", str(wheels))
        preview(root, "f/bench/plain.py", tmp / "warmup", "--env", "current")
        for round_ in range(args.repeat):
            cache = tmp / f"cache{round_}"
            shutil.rmtree(root / ".wac" / "cache", ignore_errors=True)  # the lock is resolved again too
            figures["first"].append(preview(root, "f/bench/deps.py", cache, *offline))
            figures["second"].append(preview(root, "f/bench/deps.py", cache, *offline))
            preview(root, "f/bench/plain.py", cache, "--env", "current")  # its analysis cached, as deps.py's is
            figures["current"].append(preview(root, "f/bench/plain.py", cache, "--env", "current"))
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{args.packages} packages, median of {args.repeat} rounds, seconds (whole wac process)")
    print(f"  first preview (environment created)  {median['first']:.3f}")
    print(f"  second preview (reused)              {median['second']:.3f}")
    print(f"  --env current, no packages           {median['current']:.3f}")
    overhead = statistics.median(s - c for s, c in zip(figures["second"], figures["current"]))
    print(f"  reuse overhead over --env current    {overhead * 1000:.0f} ms   (goal < 50 ms)")


if __name__ == "__main__":
    main()
