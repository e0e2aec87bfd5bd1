"""A run's history (its checkpoint, JSON) and replaying it against a script: does this code still ask for
the steps the run recorded, in the same order?

The history carries what Windmill's WAC checkpoint holds (`completed_steps`, `input_args`,
`source_hash`) and the order the steps were asked for (`step_order`), which lets a replay name the
first call that diverges. A replay runs the workflow body in this process, answering every call from
the history; it stops at the first call the history does not hold (the run had not got further), so
nothing of the workflow's own work runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import _context as ctxmod
from .._errors import NondeterminismError
from .loading import entry_point, import_roots, load_module, prepare_imports
from .store import JobStore, loads

FORMAT = "wac-history/1"


def history(store: JobStore, run_id: str) -> dict[str, Any]:
    """The run's checkpoint as a JSON-serialisable record."""
    run = store.row(run_id)
    rows = store.db.execute("SELECT key, value, alloc_index FROM steps WHERE job_id=? ORDER BY seq",
                            (run_id,)).fetchall()
    return {"format": FORMAT, "script": run["windmill_path"] or run["script_path"], "status": run["status"],
            "input_args": loads(run["args"]) or {}, "source_hash": run["source_hash"],
            "completed_steps": {row["key"]: loads(row["value"]) for row in rows},
            "step_order": {str(row["alloc_index"]): row["key"] for row in rows if row["alloc_index"] is not None}}


def checkpoint_status(record: dict[str, Any]) -> dict[str, Any]:
    """A history as Windmill's `workflow_as_code_status` carries it (`_checkpoint`), with the call order
    under `_wac_step_order` (a Windmill server has none)."""
    checkpoint = {key: record[key] for key in ("completed_steps", "input_args", "source_hash")}
    return {"_checkpoint": checkpoint, "_wac_step_order": record["step_order"]}


def history_of_status(status: dict[str, Any], script: str | None, args: dict[str, Any] | None,
                      state: str | None) -> dict[str, Any]:
    """A history from a job's `workflow_as_code_status` as a Windmill API answers it."""
    checkpoint = status.get("_checkpoint") or {}
    return {"format": FORMAT, "script": script, "status": state,
            "input_args": checkpoint.get("input_args") or args or {}, "source_hash": checkpoint.get("source_hash"),
            "completed_steps": checkpoint.get("completed_steps") or {},
            "step_order": status.get("_wac_step_order") or {}}


class _ReplayContext(ctxmod.WorkflowContext):
    """Answers from the history; a call past its last recorded position ends the replay.

    A history without call order (a Windmill job's checkpoint) is checked by key: until every recorded
    step has been asked for, each call must ask for one the checkpoint holds (a retry's own keys aside).
    """

    def __init__(self, completed: dict[str, Any], order: dict[int, str], script_file: str) -> None:
        super().__init__(completed, order=order, script_file=script_file)
        self.end = max(order, default=-1) + 1
        self.unseen = None if order else set(completed)

    def alloc_key(self, name: str) -> tuple[str, int]:
        if (self.unseen is None and self.allocated >= self.end) or self.unseen == set():
            raise ctxmod.Suspend({"type": "replayed"})
        key, index = super().alloc_key(name)
        if self.unseen is not None and "#" not in key:
            if key not in self.completed:
                raise NondeterminismError.unknown(key, index, self._user_line())
            self.unseen.discard(key)
        return key, index


def replay(script: Path, project_root: Path, record: dict[str, Any]) -> None:
    """Replay `record` (a `history`) against `script`; NondeterminismError at the first divergent call."""
    import asyncio  # here: the engine's own imports stay light for the CLI

    prepare_imports(script, import_roots(str(project_root)))
    module = load_module(script, project_root)
    order = {int(index): key for index, key in (record.get("step_order") or {}).items()}
    ctx = _ReplayContext(dict(record.get("completed_steps") or {}), order, module.__file__)
    args = json.loads(json.dumps(record.get("input_args") or {}))
    asyncio.run(ctxmod.run_round(entry_point(module), ctx, args))
