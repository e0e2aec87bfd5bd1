"""generate-metadata speed: wac side by side with the reference wmill CLI.

Builds a synthetic repo of N scripts (typed signatures, imports, some
workspace imports between them), then times, for each tool, --repeat runs of:
  schema:  `generate-metadata --schema-only --yes` on all scripts (fresh copy)
  dry-run: `generate-metadata --dry-run` with everything up to date
  rehash:  `generate-metadata rehash`
The reference runs through ../shared/tools/reference-wmill/run.sh (needs node);
the fixed `sleep 0.5` run.sh waits for its stub backend is subtracted.

    python bench/metadata_vs_wmill.py [--scripts 500] [--repeat 3] [--no-reference]
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

# Measured as users run it: with bytecode caching (an environment that disables it would
# count recompiling wac on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "reference-wmill" / "run.sh"

SCRIPT = '''import requests
from datetime import datetime
{workspace_import}

def main(name: str, count: int = {i}, ratio: float = 0.5, flags: list[str] = [], when: datetime = None,
         options: dict = {{"a": 1}}, verbose: bool = False):
    """Script {i}."""
    return {{"name": name, "count": count}}
'''


def make_repo(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    (root / "wmill.yaml").write_text('defaultTs: bun\nincludes:\n  - "f/**"\nexcludes: []\n')
    (root / ".git").mkdir()
    for i in range(count):
        folder = root / "f" / f"group{i % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        imp = f"from f.group{(i + 1) % 20}.script{i + 1} import main as dep" if i % 10 == 0 and i + 1 < count else ""
        (folder / f"script{i}.py").write_text(SCRIPT.format(i=i, workspace_import=imp))


def wac(root: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "wac.cli", "generate-metadata", *args], cwd=root,
                   check=True, capture_output=True)


STUB_SLEEP = 0.5


def reference(root: Path, *args: str) -> None:
    env = {**os.environ, "REFERENCE_WMILL_PORT": "18799"}
    subprocess.run(["bash", str(REFERENCE), str(root), "generate-metadata", *args], env=env,
                   check=True, capture_output=True)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(tool, base: Path, work: Path, repeat: int, overhead: float = 0.0) -> dict[str, float]:
    schema, dry, rehash = [], [], []
    for _ in range(repeat):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(base, work)
        schema.append(timed(lambda: tool(work, "--schema-only", "--yes")) - overhead)
        dry.append(timed(lambda: tool(work, "--dry-run")) - overhead)
        rehash.append(timed(lambda: tool(work, "rehash")) - overhead)
    return {"schema-only": statistics.median(schema), "dry-run": statistics.median(dry),
            "rehash": statistics.median(rehash)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        make_repo(base, args.scripts)
        ours = measure(wac, base, Path(tmp) / "wac", args.repeat)
        theirs = None if args.no_reference else measure(reference, base, Path(tmp) / "ref", args.repeat, STUB_SLEEP)
    print(f"{args.scripts} scripts, median of {args.repeat} runs (seconds)")
    print(f"  {'':12s} {'wac':>8s} {'wmill':>8s} {'ratio':>7s}")
    for name, value in ours.items():
        if theirs:
            print(f"  {name:12s} {value:8.3f} {theirs[name]:8.3f} {value / theirs[name]:7.3f}")
        else:
            print(f"  {name:12s} {value:8.3f}")


if __name__ == "__main__":
    main()
