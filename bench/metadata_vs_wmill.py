"""generate-metadata speed on a realistic repo: wac side by side with the reference wmill CLI.

The repo comes from bench/realistic_repo.py (400 scripts of 100-2,000 lines, a
third to a half importing shared modules and each other). For each of --repeat
rounds, on a fresh copy, it times:
  schema-only      `--schema-only --yes` on a repo without metadata (both tools)
  dry-run fresh    `--dry-run` with everything up to date (both tools; wac cold: no cache)
  check fresh      `--check`, cold (wac; compared with wmill's dry run)
  dry-run edited   `--dry-run` after editing a much-imported shared module
                   (wac cold, wac warm = cache from the previous run; wmill)
  check edited     `--check` after that edit, cold (wac)
Ratios are against wmill's dry run (or schema-only) in the same round. The
reference runs through ../shared/tools/reference-wmill/run.sh (needs node);
the fixed `sleep 0.5` run.sh waits for its stub backend is subtracted. The
schema-only outputs of both tools are compared file by file.

    python bench/metadata_vs_wmill.py [--scripts 400] [--repeat 3] [--no-reference]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from realistic_repo import make_repo  # noqa: E402

# Measured as users run it: with bytecode caching (an environment that disables it would
# count recompiling wac on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "reference-wmill" / "run.sh"
STUB_SLEEP = 0.5
EDITED = "f/shared/module0.py"


def timed(args: list[str], cwd: Path, env: dict | None = None, ok=(0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def wac(root: Path, *args: str, ok=(0,)) -> float:
    return timed([sys.executable, "-m", "wac.cli", "generate-metadata", *args], root, ok=ok)


def reference(root: Path, *args: str) -> float:
    env = {**os.environ, "REFERENCE_WMILL_PORT": "18799"}
    return timed(["bash", str(REFERENCE), str(root), "generate-metadata", *args], root, env) - STUB_SLEEP


def fresh_copy(base: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work)
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    return work


def edit(root: Path) -> None:
    path = root / EDITED
    path.write_text(path.read_text() + "\n# edited\n")


def drop_cache(root: Path) -> None:
    shutil.rmtree(root / ".wac", ignore_errors=True)


def round_wac(base: Path, tmp: Path) -> tuple[dict[str, float], Path]:
    out: dict[str, float] = {}
    root = fresh_copy(base, tmp / "wac")
    out["schema-only"] = wac(root, "--schema-only", "--yes")
    drop_cache(root)
    out["dry-run fresh"] = wac(root, "--dry-run")
    drop_cache(root)
    out["check fresh"] = wac(root, "--check")
    edit(root)
    drop_cache(root)
    out["dry-run edited"] = wac(root, "--dry-run")
    out["dry-run edited warm"] = wac(root, "--dry-run")
    drop_cache(root)
    out["check edited"] = wac(root, "--check", ok=(1,))
    return out, root


def round_wmill(base: Path, tmp: Path) -> tuple[dict[str, float], Path]:
    out: dict[str, float] = {}
    root = fresh_copy(base, tmp / "wmill")
    out["schema-only"] = reference(root, "--schema-only", "--yes")
    shutil.copytree(root, tmp / "wmill-schema", dirs_exist_ok=True)
    out["dry-run fresh"] = reference(root, "--dry-run")
    edit(root)
    out["dry-run edited"] = reference(root, "--dry-run")
    shutil.rmtree(root)
    (tmp / "wmill-schema").rename(root)
    return out, root


def differing(left: Path, right: Path) -> list[str]:
    """Files (outside .git/.wac) that differ or exist on one side only."""
    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*")
                if p.is_file() and not {".git", ".wac"} & set(p.relative_to(root).parts)}
    names = files(left) | files(right)
    return sorted(n for n in names if not ((left / n).exists() and (right / n).exists()
                                             and filecmp.cmp(left / n, right / n, shallow=False)))


# (row, the wmill figure it is compared with, goal as a ratio)
ROWS = [
    ("schema-only", "schema-only", 0.33),
    ("dry-run fresh", "dry-run fresh", 0.1),
    ("check fresh", "dry-run fresh", 0.1),
    ("dry-run edited", "dry-run edited", 0.1),
    ("dry-run edited warm", "dry-run edited", 0.05),
    ("check edited", "dry-run edited", 0.1),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scripts", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    ours: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "base"
        make_repo(base, args.scripts)
        for _ in range(args.repeat):
            mine, wac_root = round_wac(base, tmp)
            for key, value in mine.items():
                ours.setdefault(key, []).append(value)
            if args.no_reference:
                continue
            other, wmill_root = round_wmill(base, tmp)
            for key, value in other.items():
                theirs.setdefault(key, []).append(value)
            for row, against, _goal in ROWS:
                ratios.setdefault(row, []).append(mine[row] / other[against])
        if not args.no_reference:
            fresh_copy(base, tmp / "a")
            fresh_copy(base, tmp / "b")
            wac(tmp / "a", "--schema-only", "--yes")
            reference(tmp / "b", "--schema-only", "--yes")
            diff = differing(tmp / "a", tmp / "b")
    print(f"{args.scripts} scripts (bench/realistic_repo.py), median of {args.repeat} rounds, seconds")
    print(f"  {'':22s} {'wac':>7s} {'wmill':>7s} {'ratio':>7s} {'goal':>6s}")
    for row, against, goal in ROWS:
        mine = statistics.median(ours[row])
        if args.no_reference:
            print(f"  {row:22s} {mine:7.3f}")
            continue
        print(f"  {row:22s} {mine:7.3f} {statistics.median(theirs[against]):7.3f} "
              f"{statistics.median(ratios[row]):7.3f} {goal:6.2f}")
    if not args.no_reference:
        print(f"schema-only output identical to wmill: {'yes' if not diff else 'NO: ' + ', '.join(diff[:5])}")


if __name__ == "__main__":
    main()
