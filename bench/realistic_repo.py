"""A Windmill repo shaped like real git-sync repos, for the metadata benchmark.

Deterministic (seeded). Per script: 100-2,000 lines (most a few hundred), 5-15
`main` arguments of many types, often a pydantic model as an argument; a third
to a half import shared `f/` modules, some each other, some relatively
(`from .x import`, `from ..shared.y import`).

    python bench/realistic_repo.py DIR [--scripts 400]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FOLDERS = 16
SHARED = 12
ARG_TYPES = [
    ("str", '"x"'), ("int", "3"), ("float", "0.5"), ("bool", "False"), ("list[str]", "[]"),
    ("dict", '{"a": 1}'), ("Optional[int]", "None"), ('Literal["fast", "slow"]', '"fast"'),
    ("datetime", "None"), ("List[int]", "[1, 2]"), ("Dict[str, Any]", "{}"), ("bytes", 'b""'),
]
THIRD_PARTY = ["requests", "pydantic", "pandas as pd", "httpx", "boto3", "sqlalchemy", "stripe", "openai"]


def filler(rng: random.Random, lines: int, prefix: str) -> str:
    """Helper functions and classes totalling about `lines` lines."""
    out, count, n = [], 0, 0
    while count < lines:
        n += 1
        if n % 7 == 0:
            block = [f"class {prefix.title()}Record{n}:", f'    """Record {n}."""', "",
                     "    def __init__(self, value):", "        self.value = value", "",
                     "    def total(self):", "        return sum(range(self.value))", "", ""]
        else:
            body = [f"    acc = {rng.randint(0, 9)}", "    for i in range(count):",
                    f"        acc += i * {rng.randint(1, 9)}", "        if acc % 3 == 0:",
                    "            acc -= 1", "    return acc"]
            block = [f"def {prefix}_helper_{n}(count: int = {rng.randint(1, 50)}) -> int:",
                     f'    """Helper {n}: a made-up computation."""', *body, "", ""]
        out.extend(block)
        count += len(block)
    return "\n".join(out)


def shared_module(rng: random.Random, k: int) -> str:
    return "\n".join([
        "from datetime import datetime",
        "",
        "from pydantic import BaseModel",
        "",
        "",
        f"class Shared{k}(BaseModel):",
        "    name: str",
        "    size: int = 0",
        "",
        "",
        f"def shared_{k}(value: int) -> int:",
        f"    return value * {k + 1}",
        "",
        "",
        filler(rng, rng.randint(100, 400), f"shared{k}"),
        "",
        f"def main(value: int = {k}, label: str = \"shared\"):",
        f"    return shared_{k}(value)",
        "",
    ])


def script(rng: random.Random, i: int) -> str:
    """Script number `i` of its folder."""
    lines = rng.choice([rng.randint(100, 400)] * 6 + [rng.randint(400, 1000)] * 3 + [rng.randint(1000, 2000)])
    imports = ["import json", "import os", "from datetime import datetime",
               "from typing import Any, Dict, List, Literal, Optional", ""]
    imports += [f"import {name}" for name in rng.sample(THIRD_PARTY, rng.randint(1, 3))]
    roll = rng.random()
    if roll < 0.25:  # shared modules, by absolute path
        for k in rng.sample(range(SHARED), rng.randint(1, 3)):
            imports.append(f"from f.shared.module{k} import shared_{k}")
    elif roll < 0.35:  # a shared module, relatively
        k = rng.randrange(SHARED)
        imports.append(f"from ..shared.module{k} import Shared{k}")
    elif roll < 0.45 and i > 0:  # a sibling script
        imports.append(f"from .script{i - 1} import main as previous")
    model = rng.random() < 0.4
    args = []
    for n, (typ, default) in enumerate(rng.sample(ARG_TYPES, rng.randint(5, min(12, len(ARG_TYPES))))):
        args.append(f"arg{n}: {typ}" if n < 2 else f"arg{n}: {typ} = {default}")
    if model:
        imports.append("from pydantic import BaseModel")
        args.insert(0, "config: Settings")
    parts = ["\n".join(imports), ""]
    if model:
        parts.append("class Settings(BaseModel):\n    url: str\n    retries: int = 3\n    tags: list[str] = []\n")
    parts.append(filler(rng, lines, f"s{i}"))
    signature = ",\n    ".join(args)
    parts.append(f"def main(\n    {signature},\n):\n    \"\"\"Script {i}.\"\"\"\n    return {{\"ok\": True}}\n")
    return "\n".join(parts)


def make_repo(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "f" / "shared").mkdir(parents=True)
    (root / "wmill.yaml").write_text('defaultTs: bun\nincludes:\n  - "f/**"\nexcludes: []\n')
    for k in range(SHARED):
        (root / "f" / "shared" / f"module{k}.py").write_text(shared_module(rng, k))
    counters = [0] * FOLDERS
    for i in range(count):
        folder = i % FOLDERS
        index = counters[folder]
        counters[folder] += 1
        path = root / "f" / f"team{folder}" / f"script{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script(rng, index))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--scripts", type=int, default=400)
    args = parser.parse_args()
    make_repo(args.dir, args.scripts)


if __name__ == "__main__":
    main()
