"""`generate-metadata --dry-run` on a copy of a real git-sync repo after edits, beside wmill.

Issue 20's figure: a public Windmill repo (bring one here with the `fetch` tool; e.g.
RogerDevCode/basic-booking-wm, ~210 scripts) is copied to a temporary folder, --edits of its
Python scripts get a comment appended, and each round times wac's dry run cold (no `.wac`
cache), warm (the second run) and wmill's (../shared/tools/reference-wmill/run.sh, its stub
backend's fixed start-up sleep subtracted). It also checks both list the same stale items.

    python bench/real_repo_metadata.py --repo DIR [--edits 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from metadata_vs_wmill import REFERENCE, STUB_SLEEP, fresh_copy, timed  # noqa: E402
from mixed_metadata import stale  # noqa: E402

GOALS = {"wac cold": 0.10, "wac warm": 0.05}


def edit(root: Path, count: int) -> None:
    """Append a comment to the first `count` Python scripts (the ones with metadata)."""
    scripts = sorted(p.with_name(p.name.replace(".script.yaml", ".py"))
                     for p in root.rglob("*.script.yaml"))
    for path in [p for p in scripts if p.is_file()][:count]:
        path.write_text(path.read_text() + "\n# edited\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", type=Path, required=True, help="a git-sync repo (its wmill.yaml folder)")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    command = [sys.executable, "-m", "wac.cli", "generate-metadata", "--dry-run"]
    env = {**os.environ, "REFERENCE_WMILL_PORT": "18796"}
    figures: dict[str, list[float]] = {}
    same = True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for _ in range(args.repeat):
            mine = fresh_copy(args.repo, tmp / "wac")
            edit(mine, args.edits)
            shutil.rmtree(mine / ".wac", ignore_errors=True)
            figures.setdefault("wac cold", []).append(timed(command, mine))
            figures.setdefault("wac warm", []).append(timed(command, mine))
            theirs = fresh_copy(args.repo, tmp / "wmill")
            edit(theirs, args.edits)
            wmill = ["bash", str(REFERENCE), str(theirs), "generate-metadata", "--dry-run"]
            figures.setdefault("wmill", []).append(timed(wmill, theirs, env) - STUB_SLEEP)
            ours = subprocess.run(command, cwd=mine, capture_output=True, text=True).stdout
            reference = subprocess.run(wmill, cwd=theirs, capture_output=True, text=True, env=env).stdout
            same = same and stale(ours) == stale(reference)
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{args.repo.name}: {args.edits} scripts edited, median of {args.repeat} rounds, seconds")
    for name, goal in GOALS.items():
        print(f"  {name:10s} {med[name]:7.3f}   wmill {med['wmill']:7.3f}   ratio {med[name] / med['wmill']:6.3f}"
              f"   goal <= {goal}")
    print(f"same stale items as wmill: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
