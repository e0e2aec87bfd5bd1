"""A flow's TypeScript step (`deno`, `bun`) run with Deno, as Windmill's Deno wrapper runs one: `main` called
with the step's arguments in its parameters' order, its result JSON with `undefined` as null, a thrown
error handed back as `{name, message, stack}`.

Deno comes from the `deno` package on PyPI (`pip install 'wac[ts]'`) or the PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from wac.sdk.engine import ENTRYPOINT_OVERRIDE, JobFailed

# Runs in Deno beside the step's `main.ts`; parameter names are read from the compiled function.
WRAPPER = r'''import { main } from "./main.ts";

function parameterNames(fn) {
  const text = fn.toString();
  const names = [];
  let depth = 0, current = "";
  for (let i = text.indexOf("(") + 1; i < text.length; i++) {
    const c = text[i];
    if ("([{".includes(c)) depth++;
    if (")]}".includes(c)) {
      if (depth === 0) { names.push(current); break; }
      depth--;
    }
    if (c === "," && depth === 0) { names.push(current); current = ""; } else current += c;
  }
  return names.map((p) => (p.trim().match(/^(?:\.\.\.)?([A-Za-z_$][\w$]*)/) || [])[1]);
}

const args = JSON.parse(await Deno.readTextFile(Deno.args[0]));
try {
  const res = await main(...parameterNames(main).map((name) => (name === undefined ? undefined : args[name])));
  await Deno.writeTextFile(Deno.args[1], JSON.stringify({ result: res ?? null },
    (key, value) => (typeof value === "undefined" ? null : value)));
} catch (e) {
  await Deno.writeTextFile(Deno.args[1], JSON.stringify({ error: { name: e?.name ?? "Error",
    message: e?.message ?? String(e), stack: e?.stack ?? "" } }));
}
'''


def deno() -> str | None:
    """Deno's binary: the `deno` package's, else one on the PATH."""
    try:
        from deno import find_deno_bin

        found = find_deno_bin()
    except (ImportError, OSError):
        found = None
    return found if found and os.access(found, os.X_OK) else shutil.which("deno")


def run_typescript(language: str, code: str, args: dict[str, Any], file: Path | None = None,
                   root: Path | None = None) -> Any:
    """`main(...)` of a TypeScript step, in Deno; its result (its error raised as the step's). A repo script
    (`file`) runs from its own place, so its relative imports resolve; `/f/...` and `/u/...` import the repo's
    (`root`) scripts, as on a worker; bare package names import from npm, as Bun resolves them."""
    binary = deno()
    if binary is None:
        raise RuntimeError(f"this step is TypeScript ({language}) and Deno is not installed: "
                           "`pip install 'wac[ts]'` (or put deno on the PATH), or run the flow on a workspace "
                           "(`wmill flow preview`)")
    entry = args.get(ENTRYPOINT_OVERRIDE) or "main"  # a preprocessor step calls `preprocessor`
    args = {name: value for name, value in args.items() if name != ENTRYPOINT_OVERRIDE}
    imports = npm_imports(code, file, root)
    if root is not None:
        imports.update({f"/{top}/": f"{root.resolve().as_uri()}/{top}/" for top in ("f", "u")})
    if any(spec == "bun" or spec.startswith("bun:") for spec in imports):
        message = ("this step uses Bun's own modules (`bun`), which Deno does not have: run the flow on a workspace "
                   "(`wmill flow preview`)")
        raise JobFailed(message, {"error": {"name": "ExecutionErr", "message": message}})
    with tempfile.TemporaryDirectory(prefix="wac-ts-") as folder:
        work = Path(folder)
        main = file.resolve().as_uri() if file is not None else "./main.ts"
        if file is None:
            (work / "main.ts").write_text(code, encoding="utf-8")
        wrapper = WRAPPER.replace("{ main }", f"{{ {entry} as main }}").replace("./main.ts", main)
        (work / "wrapper.mjs").write_text(wrapper, encoding="utf-8")
        (work / "deno.json").write_text(json.dumps({"imports": imports}), encoding="utf-8")
        (work / "args.json").write_text(json.dumps(args), encoding="utf-8")
        done = subprocess.run([binary, "run", "-A", "--no-prompt", "--no-check", "--unstable-sloppy-imports",
                               "--config", str(work / "deno.json"), str(work / "wrapper.mjs"),
                               str(work / "args.json"), str(work / "result.json")],
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
        sys.stderr.write(done.stderr)
        answer = work / "result.json"
        outcome = json.loads(answer.read_text(encoding="utf-8")) if answer.is_file() else None
    if outcome is None:  # Deno stopped before main answered: an import, a syntax error
        said = [line.strip() for line in done.stderr.splitlines() if line.strip().startswith("error:")]
        message = said[0] if said else f"deno ended with exit code {done.returncode} before the step answered"
        outcome = {"error": {"name": "ExecutionErr", "message": message}}
    if "error" in outcome:
        raise JobFailed(outcome["error"]["message"], {"error": outcome["error"]})
    return outcome["result"]


IMPORT = re.compile(r"""(?:from|import)\s*\(?\s*["']([^"']+)["']""")
# Node's own modules, which Bun (as Node) imports by their bare names (`fs`, `fs/promises`): Deno has them as `node:`
NODE_BUILTINS = frozenset(
    "assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain "
    "events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl "
    "stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib".split())
LOCAL_SUFFIXES = ("", ".ts", ".js", ".mts", ".mjs", "/index.ts", "/index.js")


def npm_imports(code: str, file: Path | None = None, root: Path | None = None) -> dict[str, str]:
    """An import map sending bare package imports (`lodash`, `@scope/pkg/sub`) to npm and Node's own (`fs`) to
    `node:`: the code's, and those of the repo modules it imports (`./x` from `file`, `/f/...` from `root`),
    followed through."""
    mapped: dict[str, str] = {}
    seen: set[Path] = set()
    pending = [(code, file)]
    while pending:
        text, where = pending.pop()
        for spec in IMPORT.findall(text):
            if spec.startswith((".", "/")):
                found = _local_module(spec, where, root)
                if found is not None and found not in seen:
                    seen.add(found)
                    pending.append((found.read_text(encoding="utf-8", errors="replace"), found))
            elif spec.split("/")[0] in NODE_BUILTINS:
                mapped[spec] = f"node:{spec}"
            elif not spec.startswith(("npm:", "jsr:", "node:", "http:", "https:", "file:", "data:")):
                mapped[spec] = f"npm:{spec}"
    return mapped


def _local_module(spec: str, importer: Path | None, root: Path | None) -> Path | None:
    """The repo file a relative (`./x`) or workspace (`/f/x`) import names, extension-less as Bun allows."""
    base = (root / spec.lstrip("/")) if spec.startswith("/") and root is not None else \
        (importer.parent / spec) if importer is not None and spec.startswith(".") else None
    if base is None:
        return None
    for suffix in LOCAL_SUFFIXES:
        candidate = Path(f"{base}{suffix}")
        if candidate.is_file():
            return candidate.resolve()
    return None
