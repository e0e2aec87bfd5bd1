"""Shared helpers: repo paths, the oracle fixtures, and running the real `wac`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXAMPLES = REPO / "examples"


def oracle_cases() -> list[dict]:
    """One entry per reference `parse_python` run (fixtures/schema/parse.jsonl)."""
    lines = (FIXTURES / "schema" / "parse.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def strict_equal(a, b) -> bool:
    """JSON equality that tells True from 1 (Python's == does not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture
def run_wac(tmp_path):
    """Run the installed `wac` command in a subprocess (default cwd: a temp dir)."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        # Lock tests resolve from their own wheel folder only: no user pip config.
        env.update(COLUMNS="200", NO_COLOR="1", PIP_CONFIG_FILE=os.devnull)
        return subprocess.run(
            [sys.executable, "-m", "wac.cli", *args],
            cwd=cwd or tmp_path, env=env, input=input, capture_output=True, text=True, timeout=120,
        )

    return run
