"""`wac dev` speed: from a save to the new result line, side by side with `wac script preview` of the same
script alone, in one run (goal: at most 1.5x).

  preview   the whole `wac script preview` process right after an edit (new content, as after a save)
  save      a save of the script (a comment appended) to `wac dev`'s next result line

    python bench/dev_loop.py [--saves 20]
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from executor_vs_floor import SCRIPTS  # noqa: E402

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

SCRIPT = textwrap.dedent(SCRIPTS["seq"]).replace("n: int = 40", "n: int = 10")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "f" / "bench").mkdir(parents=True)
        (project / ".git").mkdir()
        (project / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        script = project / "f/bench/seq.py"
        script.write_text(SCRIPT)
        preview = [sys.executable, "-m", "wac.cli", "script", "preview", "f/bench/seq.py", "-s", "--skip-sleeps"]
        subprocess.run(preview, cwd=project, capture_output=True, check=True)
        previews, saves = [], []
        for n in range(args.saves):  # first alone: each preview right after an edit nobody has run yet
            script.write_text(SCRIPT + f"# edit {n}\n")
            start = time.perf_counter()
            subprocess.run(preview, cwd=project, capture_output=True, check=True)
            previews.append(time.perf_counter() - start)
        dev = subprocess.Popen([sys.executable, "-m", "wac.cli", "dev", "f/bench/seq.py"], cwd=project,
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(text) for text in dev.stdout], daemon=True).start()
        lines.get(timeout=60)  # watching ...
        lines.get(timeout=60)  # the first run
        try:
            for n in range(args.saves):  # then saves under `wac dev`, each new content too
                time.sleep(0.3)
                start = time.perf_counter()
                script.write_text(SCRIPT + f"# save {n}\n")
                text = lines.get(timeout=60)
                saves.append(time.perf_counter() - start)
                assert "success" in text, text
        finally:
            dev.terminate()
            dev.wait()
    preview_median, save_median = statistics.median(previews), statistics.median(saves)
    print(f"medians of {args.saves} saves")
    print(f"  preview (s)        {preview_median:8.3f}")
    print(f"  save -> line (s)   {save_median:8.3f}")
    print(f"  save / preview     {save_median / preview_median:8.2f}x   goal <= 1.5x")


if __name__ == "__main__":
    main()
