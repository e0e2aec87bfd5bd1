"""Import time of `wac.sdk` (what every workflow and task process imports).

Runs `python -X importtime -c "import wac.sdk"` --repeat times and prints the
median cumulative time of the `wac.sdk` import itself (interpreter start-up
and `site` excluded), next to `import json` as a floor for comparison.

    python bench/sdk_import.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys


def import_ms(module: str) -> float:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    raise SystemExit(f"no importtime line for {module}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for module in ("wac.sdk", "json", "libcst"):
        times = [import_ms(module) for _ in range(args.repeat)]
        print(f"import {module:8s} median {statistics.median(times):6.1f} ms  (min {min(times):.1f})")


if __name__ == "__main__":
    main()
