"""A flow's Python step run in another interpreter (its own locked environment), as a worker runs it:
a process of its own that imports the step, calls `main(**args)` and hands back its result as JSON.

Its output goes where the step's goes (the job's logs); a failure comes back as the step's error, with
the exception's name, message and the step's own frames.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from wac.sdk.engine import JobFailed, python_imports

# Runs in the step's interpreter, which has the standard library, the step's packages and wac's SDK (its
# `_entrypoint` alone: the engine's import would cost every step's start).
BOOT = r'''
import asyncio, importlib.util, inspect, json, sys, traceback
from wac.sdk._entrypoint import entry_call
result_path, root = sys.argv[1], sys.argv[2]
job = json.load(sys.stdin)
sys.path.insert(0, root)
try:
    if job.get("file"):
        spec = importlib.util.spec_from_file_location(job["module"], job["file"])
        module = importlib.util.module_from_spec(spec)
        module.__package__ = job["module"].rpartition(".")[0]
        sys.modules[job["module"]] = module
        spec.loader.exec_module(module)
        namespace = vars(module)
    else:  # a module in sys.modules, as an imported script is (dataclasses look their module up there)
        module = sys.modules["__wac_step__"] = type(sys)("__wac_step__")
        namespace = vars(module)
        exec(compile(job["code"], "<inline step>", "exec"), namespace)
    main, args = entry_call(namespace.get, job["args"])
    if not callable(main):
        raise RuntimeError("the step defines no main()")
    result = main(**args)
    if inspect.isawaitable(result):
        result = asyncio.run(result)
    outcome = {"result": result}
except BaseException as exc:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != "<string>"]
    outcome = {"error": {"name": type(exc).__name__, "message": str(exc),
                         "stack": "".join(traceback.format_list(frames)).strip()}}
sys.stdout.flush()
with open(result_path, "w", encoding="utf-8") as out:
    json.dump(outcome, out, default=str)
'''


def inline_key(code: str) -> str:
    """How the driver finds an inline step's interpreter: by its code."""
    return "inline:" + hashlib.sha256(code.encode()).hexdigest()[:16]


def script_key(path: str) -> str:
    return "script:" + path


def run_in(python: str, args: dict[str, Any], root: Path, *, code: str | None = None,
           script: Path | None = None) -> Any:
    """`main(**args)` of inline `code` or repo `script`, in interpreter `python`; its result (or its
    exception, re-raised under the same name)."""
    job: dict[str, Any] = {"args": args, "code": code}
    if script is not None:
        dotted = ".".join(script.resolve().relative_to(root.resolve()).with_suffix("").parts)
        job.update(file=str(script), module=dotted)
    handle, result_path = tempfile.mkstemp(prefix="wac-step-", suffix=".json")
    os.close(handle)
    try:
        done = subprocess.run([python, "-c", BOOT, result_path, str(root)], input=json.dumps(job), text=True,
                              env={**os.environ, **python_imports(python)})
        text = Path(result_path).read_text(encoding="utf-8")
    finally:
        os.unlink(result_path)
    if not text:
        raise RuntimeError(f"the step's process ended with exit code {done.returncode} before it answered")
    outcome = json.loads(text)
    if "error" in outcome:
        raise JobFailed(outcome["error"]["message"], {"error": outcome["error"]})
    return outcome["result"]
