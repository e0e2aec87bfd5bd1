"""The local engine's public API: open a job store, create and drive runs, read and control them.

The CLI and `wac server` use the engine only through this module; the job
store's tables and the scheduler's internals are private.

    store = open_store(Path(".wac/jobs.db"))
    scheduler = Scheduler(store.path, Settings(workers=4))
    host = scheduler.host("f/x/y.py", project_root)    # imports the script, in the background
    scheduler.wait_loaded(host)                         # ScriptLoadError if it cannot be imported
    run_id = store.create_run(RunSpec("f/x/y.py", {"n": 3}), lease_owner=scheduler.owner)
    status = scheduler.drive(run_id)                    # "success" | "failure" | "canceled"

Names load on first use (PEP 562), as in `wac.sdk`: a process that takes a few of them (a host, the
flow driver every job of a flow forks from) does not import the scheduler and the store with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {  # name: (module under wac.sdk, its name there)
    "ENTRYPOINT_OVERRIDE": ("_entrypoint", "ENTRYPOINT_OVERRIDE"), "entry_call": ("_entrypoint", "entry_call"),
    "JobFailed": ("_errors", "JobFailed"), "replayed": ("_context", "replayed"),
    "approval_resume_id": ("_urls", "approval_resume_id"), "resume_urls": ("_urls", "resume_urls"),
    "url_signature": ("_urls", "signature"), "valid_url_signature": ("_urls", "valid_signature"),
    "workspace_env": ("_workspace_file", "environment"), "workspace_value": ("_workspace_file", "lookup"),
    "StoreError": ("_engine.db", "StoreError"), "RunBusy": ("_engine.lease", "RunBusy"),
    "fork_host_early": ("_engine.early_host", "fork"),
    "import_host_side": ("_engine.hosts", "import_host_side"),
    "python_imports": ("_engine.hosts", "python_imports"),
    "ScriptLoadError": ("_engine.loading", "ScriptLoadError"),
    "is_workflow": ("_engine.loading", "is_workflow"), "source_hash": ("_engine.loading", "source_hash"),
    "ResumeRejected": ("_engine.recording", "ResumeRejected"), "RunSpec": ("_engine.recording", "RunSpec"),
    "checkpoint_status": ("_engine.replay", "checkpoint_status"),
    "history_of_status": ("_engine.replay", "history_of_status"), "replay": ("_engine.replay", "replay"),
    "run_options": ("_engine.run_limits", "options_of"),
    "Scheduler": ("_engine.scheduler", "Scheduler"), "Settings": ("_engine.scheduler", "Settings"),
    "TERMINAL": ("_engine.store", "TERMINAL"), "Event": ("_engine.store", "Event"), "Job": ("_engine.store", "Job"),
    "Store": ("_engine.store_api", "Store"), "open_store": ("_engine.store_api", "open_store"),
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from ._context import replayed
    from ._engine.db import StoreError
    from ._engine.early_host import fork as fork_host_early
    from ._engine.hosts import import_host_side, python_imports
    from ._engine.lease import RunBusy
    from ._engine.loading import ScriptLoadError, is_workflow, source_hash
    from ._engine.recording import ResumeRejected, RunSpec
    from ._engine.replay import checkpoint_status, history_of_status, replay
    from ._engine.run_limits import options_of as run_options
    from ._engine.scheduler import Scheduler, Settings
    from ._engine.store import TERMINAL, Event, Job
    from ._engine.store_api import Store, open_store
    from ._entrypoint import ENTRYPOINT_OVERRIDE, entry_call
    from ._errors import JobFailed
    from ._urls import approval_resume_id, resume_urls
    from ._urls import signature as url_signature
    from ._urls import valid_signature as valid_url_signature
    from ._workspace_file import environment as workspace_env
    from ._workspace_file import lookup as workspace_value


def __getattr__(name: str) -> Any:
    module, attribute = _EXPORTS.get(name, (None, None))
    if module is None:
        raise AttributeError(f"module 'wac.sdk.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"..{module}", __name__), attribute)
    globals()[name] = value
    return value
