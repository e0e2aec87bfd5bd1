"""`wac.testing` speed, side by side with the fork+SQLite floor, in one run.

  floor40    the executor bench's floor: one forked process per task from an imported module,
             each committing its result, the parent a checkpoint row (40 tasks)
  run40      one harness run of a 40-task workflow with a one-day sleep and an approval, as a test
             does it: a whole Python process (import, Harness, run)      (goal <= 3x floor40);
             also `harness.run` alone: a session's first run, and its third (what each further test pays)
  replay100  replaying 100 recorded histories of that workflow against its code, a whole
             process                                                      (goal <= 10x floor40)

    python bench/harness_vs_floor.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from executor_vs_floor import FLOOR, SCRIPTS, timed  # noqa: E402

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# the executor bench's 40 sequential tasks, with a one-day sleep and an approval half-way
WORKFLOW = textwrap.dedent(SCRIPTS["seq"]).replace(
    "from wmill import task, workflow", "from wmill import sleep, task, wait_for_approval, workflow").replace(
    "        total += await compute(i)\n",
    "        total += await compute(i)\n        if i == 19:\n            await sleep(86400)\n"
    "            await wait_for_approval(timeout=3600)\n")
RUN = '''
import json, sys, time
from pathlib import Path
from wac.testing import Harness
harness = Harness(Path("."), Path(sys.argv[1]))
elapsed = []
for _ in range(int(sys.argv[2])):  # a test session's first run, then its further ones
    start = time.perf_counter()
    run = harness.run("f/bench/wf.py", approvals=[True])
    elapsed.append(time.perf_counter() - start)
    assert run.status == "success" and run.slept == 86400, run
Path("history.json").write_text(json.dumps(run.history()))
print(json.dumps([run.result, elapsed]))
'''
REPLAY = '''
import json
from wac.testing import replay
history = json.load(open("history.json"))
for _ in range(100):
    replay("f/bench/wf.py", history, ".")
print("ok")
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"floor40": [], "run40": [], "run40-in-test": [], "run40-further": [],
                                       "replay100": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "f" / "bench").mkdir(parents=True)
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (project / "f/bench/wf.py").write_text(WORKFLOW)
        (project / "floor.py").write_text(FLOOR)
        (project / "run.py").write_text(RUN)
        (project / "replay.py").write_text(REPLAY)
        timed([sys.executable, "run.py", str(Path(tmp) / "warm"), "1"], project)
        for n in range(args.repeat):
            samples["floor40"].append(timed([sys.executable, "floor.py", str(project / "floor.db"), "40"], project)[0])
            wall, out = timed([sys.executable, "run.py", str(Path(tmp) / f"state{n}"), "1"], project)
            result, (in_test,) = json.loads(out)
            assert result == 55 * 40 + sum(range(40)), out
            samples["run40"].append(wall)
            samples["run40-in-test"].append(in_test)
            samples["run40-further"].append(json.loads(timed([sys.executable, "run.py", str(Path(tmp) / f"more{n}"),
                                                              "3"], project)[1])[1][-1])
            samples["replay100"].append(timed([sys.executable, "replay.py"], project)[0])
    med = {name: statistics.median(values) for name, values in samples.items()}
    print(f"medians of {args.repeat} runs")
    print(f"  floor40 (s)             {med['floor40']:8.3f}")
    print(f"  run40 (s)               {med['run40']:8.3f}")
    print(f"  replay100 (s)           {med['replay100']:8.3f}")
    print(f"  run40 in a test (s)     {med['run40-in-test']:8.3f}   (harness.run alone: a session's first test)")
    print(f"  run40, further (s)      {med['run40-further']:8.3f}   (harness.run alone: each further test)")
    print(f"  run40 / floor40         {med['run40'] / med['floor40']:8.2f}x   goal <= 3x")
    print(f"  in a test / floor40     {med['run40-in-test'] / med['floor40']:8.2f}x")
    print(f"  further / floor40       {med['run40-further'] / med['floor40']:8.2f}x")
    print(f"  replay100 / floor40     {med['replay100'] / med['floor40']:8.2f}x   goal <= 10x")


if __name__ == "__main__":
    main()
