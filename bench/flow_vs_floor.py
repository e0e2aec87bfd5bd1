"""`wac flow preview` speed, side by side with the fork+SQLite floor, in one run.

  floor40     the executor bench's floor: one forked process per task from an imported module,
              each committing its result, the parent a checkpoint row (40 tasks)
  flow40      a 40-step linear flow of trivial Python steps (fibo(10), Windmill's "lightweight"
              task), each step's input a JavaScript transform of the previous result; the whole
              `wac flow preview` process                          (goal <= 3x floor40)
  windmill40  Windmill's published figure for 40 lightweight tasks in one flow (dedicated worker,
              its own benchmark): 2.092 s                         (goal: flow40 below it)
  transform   one JavaScript input transform, over 10,000 evaluations (goal <= 50 microseconds)

    python bench/flow_vs_floor.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from executor_vs_floor import FLOOR, timed  # noqa: E402

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

WINDMILL_40_DEDICATED = 2.092
STEP = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\ndef main(x: int):\n    return fib(10) + x\n"


def make_flow(project: Path, steps: int) -> str:
    folder = project / "f" / "bench" / "linear.flow"
    folder.mkdir(parents=True)
    (folder / "step.inline_script.py").write_text(STEP)
    modules = [{"id": f"s{i}", "value": {
        "type": "rawscript", "language": "python3", "content": "!inline step.inline_script.py",
        "input_transforms": {"x": {"type": "javascript", "expr": "previous_result.x ?? previous_result"}}}}
        for i in range(steps)]
    (folder / "flow.yaml").write_text(json.dumps({"summary": "", "value": {"modules": modules}}))
    return "f/bench/linear.flow"


def transform_micros(count: int = 10_000) -> float:
    from wac.cli.flows.js import Evaluator

    evaluator = Evaluator()
    scope = {"flow_input": {"n": 3, "iter": {"index": 1, "value": 2}}, "results": {"a": {"rows": [1, 2, 3]}},
             "previous_result": 7, "params": {}}
    evaluator.eval("flow_input.iter.value * 2 + results.a.rows[0]", scope)
    start = time.perf_counter()
    for _ in range(count):
        evaluator.eval("flow_input.iter.value * 2 + results.a.rows[0]", scope)
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"floor40": [], "flow40": [], "transform": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (project / "floor.py").write_text(FLOOR)
        flow = make_flow(project, 40)
        command = [sys.executable, "-m", "wac.cli", "flow", "preview", flow, "-d", '{"x": 0}', "-s"]
        timed(command, project)  # the first run writes the run's module and warms caches
        for _ in range(args.repeat):
            samples["floor40"].append(timed([sys.executable, "floor.py", str(project / "floor.db"), "40"], project)[0])
            wall, out = timed(command, project)
            assert json.loads(out) == 55 * 40, out
            samples["flow40"].append(wall)
            samples["transform"].append(transform_micros())
    med = {name: statistics.median(values) for name, values in samples.items()}
    print(f"medians of {args.repeat} runs")
    print(f"  floor40 (s)          {med['floor40']:8.3f}")
    print(f"  flow40 (s)           {med['flow40']:8.3f}")
    print(f"  windmill40 (s)       {WINDMILL_40_DEDICATED:8.3f}   (published, dedicated worker)")
    print(f"  flow40 / floor40     {med['flow40'] / med['floor40']:8.2f}x   goal <= 3x")
    print(f"  flow40 / windmill40  {med['flow40'] / WINDMILL_40_DEDICATED:8.2f}x   goal < 1x")
    print(f"  transform (us)       {med['transform']:8.1f}    goal <= 50")


if __name__ == "__main__":
    main()
