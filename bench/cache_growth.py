"""Does wac get slower with use? A long `wac dev` session on one script, its first saves beside its last,
and an unchanged script's preview with fresh caches beside one after the session, in one run.

The session is --saves edits of the script, each analysed and checked for packages as a save under
`wac dev` is (cli.analysis.analyze, cli.script_pins.script_pins: what fills `.wac/cache`). A cache that
keeps every version of a file loads, and on a miss rewrites, all of them every time: the last saves
then cost more than the first. The preview is the whole `wac script preview` process (medians of
--repeat runs).

    python bench/cache_growth.py [--saves 1000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

SCRIPT = textwrap.dedent('''
    from wmill import task, workflow

    @task
    async def double(i: int):
        return 2 * i

    @workflow
    async def main(n: int = 3):
        return sum([await double(i) for i in range(n)])
''')


def previews(project: Path, repeat: int) -> float:
    command = [sys.executable, "-m", "wac.cli", "script", "preview", "f/bench/flow.py", "-s"]
    subprocess.run(command, cwd=project, check=True, capture_output=True)  # caches hold this version
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=project, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dev_session(project: Path, script: Path, saves: int) -> list[float]:
    """Each save's check, in seconds."""
    from wac.cli.analysis import analyze
    from wac.cli.script_pins import Resolution, script_pins

    times = []
    for n in range(saves):
        code = SCRIPT + f"\n# save {n}\n"
        script.write_text(code)
        start = time.perf_counter()
        analyze(script, code, project)
        script_pins(script, project, Resolution(), project / ".wac" / "cache")
        times.append(time.perf_counter() - start)
    script.write_text(SCRIPT)
    return times


def cache_bytes(project: Path) -> int:
    return sum(p.stat().st_size for p in (project / ".wac" / "cache").glob("*.json"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp).resolve()
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (project / ".git").mkdir()
        script = project / "f" / "bench" / "flow.py"
        script.parent.mkdir(parents=True)
        script.write_text(SCRIPT)
        fresh, fresh_size = previews(project, args.repeat), cache_bytes(project)
        saves = dev_session(project, script.resolve(), args.saves)
        grown, grown_size = previews(project, args.repeat), cache_bytes(project)
    window = max(1, len(saves) // 10)
    first, last = statistics.median(saves[1:window + 1]), statistics.median(saves[-window:])
    print(f"a save's check under `wac dev`, median of {window} saves (ms)")
    print(f"  saves 2-{window + 1:<5}   {first * 1000:6.1f}")
    print(f"  last {window} saves  {last * 1000:6.1f}   ratio {last / first:.2f}x   (goal: 1.0x)")
    print(f"an unchanged script's preview, median of {args.repeat} (seconds, whole process)")
    print(f"  fresh caches ({fresh_size / 1024:.0f} KB)   {fresh:.3f}")
    print(f"  after the session ({grown_size / 1024:.0f} KB)   {grown:.3f}   ratio {grown / fresh:.2f}x   (goal: 1.0x)")


if __name__ == "__main__":
    main()
