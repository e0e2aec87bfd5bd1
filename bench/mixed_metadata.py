"""`generate-metadata --dry-run` on a mixed repo after edits: wac beside the reference wmill CLI.

The repo comes from bench/mixed_repo.py (500 items: scripts, flows, resources, schedules);
each round edits 10 scripts and 10 flows' inline scripts on a fresh copy, then times wac's dry
run cold (no cache) and warm, and wmill's (through ../shared/tools/reference-wmill/run.sh, its
stub backend's fixed start-up sleep subtracted), and checks both list the same stale items.

    python bench/mixed_metadata.py [--items 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from metadata_vs_wmill import REFERENCE, STUB_SLEEP, fresh_copy, timed  # noqa: E402
from mixed_repo import make_mixed_repo  # noqa: E402

GOAL = 0.2


def edit(root: Path) -> None:
    for i in range(10):
        for path in (root / f"f/team{i}/script{i}.py", root / f"f/team{i}/flow{i}.flow/double.inline_script.py"):
            path.write_text(path.read_text() + "\n# edited\n")


def stale(output: str) -> list[str]:
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Found ")), len(lines))
    return lines[start:]


def main() -> None:
    import os
    import subprocess

    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}
    same = True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        make_mixed_repo(tmp / "base", args.items)
        for _ in range(args.repeat):
            mine = fresh_copy(tmp / "base", tmp / "wac")
            edit(mine)
            shutil.rmtree(mine / ".wac", ignore_errors=True)
            command = [sys.executable, "-m", "wac.cli", "generate-metadata", "--dry-run"]
            figures.setdefault("wac cold", []).append(timed(command, mine))
            figures.setdefault("wac warm", []).append(timed(command, mine))
            theirs = fresh_copy(tmp / "base", tmp / "wmill")
            edit(theirs)
            env = {**os.environ, "REFERENCE_WMILL_PORT": "18798"}
            figures.setdefault("wmill", []).append(
                timed(["bash", str(REFERENCE), str(theirs), "generate-metadata", "--dry-run"], theirs, env) - STUB_SLEEP)
            ours = subprocess.run(command, cwd=mine, capture_output=True, text=True).stdout
            reference = subprocess.run(["bash", str(REFERENCE), str(theirs), "generate-metadata", "--dry-run"],
                                       cwd=theirs, capture_output=True, text=True, env=env).stdout
            same = same and stale(ours) == stale(reference)
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{args.items} items (bench/mixed_repo.py), 20 edited, median of {args.repeat} rounds, seconds")
    for name in ("wac cold", "wac warm"):
        print(f"  {name:10s} {med[name]:7.3f}   wmill {med['wmill']:7.3f}   ratio {med[name] / med['wmill']:6.3f}"
              f"   goal <= {GOAL}")
    print(f"same stale items as wmill: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
