"""Running scripts locally on the engine: preview a script, resume a run.

Used by `wac script preview` and `wac job resume`; the engine is reached only
through `wac.sdk.engine`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from wac.sdk.engine import (Job, RunBusy, RunSpec, Scheduler, ScriptLoadError, Settings, Store, StoreError, open_store,
                            source_hash, workspace_env)

from .analysis import check_script
from .args import parse_json_option
from .errors import Failed, Interrupted, InvalidInput, PathNotFound, from_engine
from .files import UnreadableFile, read_text
from .kinds.languages import display_name, language_of
from .project import find_root, script_path_of, state_dir, wac_dir
from .script_pins import Resolution

STORE_NAME = "jobs.db"


@dataclass
class RunOptions:
    """What the user asked of a local run (preview and resume share these)."""

    workers: int | None = None
    skip_sleeps: bool = False
    approve: bool = False
    reject: bool = False
    approval_value: str | None = None
    approver: str | None = None
    store: Path | None = None
    env: str = "locked"  # or "current": wac's own interpreter and packages
    await_approvals: bool = False  # approvals wait for an answer from elsewhere, whatever --skip-sleeps says
    resolution: Resolution = field(default_factory=Resolution)
    variables: dict[str, str] = field(default_factory=dict)  # --var: over the repo's (secrets' values)
    resources: dict[str, Any] = field(default_factory=dict)  # --resource


@dataclass
class Outcome:
    run_id: str
    status: str
    store: Store
    already_ended: bool = False


def store_location(root: Path, override: Path | None = None, *, create: bool = False) -> Path:
    """The job store: `--store`/`WAC_STORE`, else in wac's state folder for the repo (made only to create it)."""
    if override is not None:
        return override
    return (wac_dir(root) if create else state_dir(root)) / STORE_NAME


def open_local_store(override: Path | None = None, *, create: bool = False) -> Store:
    """The job store of the project around the current folder."""
    path = store_location(find_root(Path.cwd()), override, create=create)
    try:
        return open_store(path, create=create)
    except StoreError as exc:
        raise from_engine(exc) from None


def resolve_script(path: Path) -> Path:
    """The script a preview runs; a clear error for a folder, a metadata file or a missing path."""
    if path.is_dir():
        scripts = sorted(p.name for p in path.glob("*.py"))
        example = f", e.g. `wac script preview {path / scripts[0]}`" if scripts else ""
        raise InvalidInput(f"{path} is a folder, not a script", f"preview one script in it{example}")
    if not path.is_file():
        raise PathNotFound(str(path))
    if path.name.endswith((".script.yaml", ".script.lock", ".lock")):
        raise InvalidInput(f"{path} is a metadata file", "preview the script itself, e.g. f/x/y.py")
    language = language_of(path.name)
    if path.name.endswith(("flow.yaml", ".flow")):
        raise InvalidInput(f"{path} is a flow, not a script", "wac previews Python scripts; run flows on a "
                                                                 "workspace with `wmill flow preview`")
    if language != "python3":
        shown = display_name(language) if language else f"a {path.suffix or 'extensionless'} file"
        raise InvalidInput(f"{path} is {shown}: wac previews Python scripts only",
                           f"run it on a workspace with `wmill script preview {path}`")
    return path.resolve()


def preview(path: Path, args: dict[str, Any], options: RunOptions, view) -> Outcome:
    """Check the script, then run it to its end; lint errors and bad arguments stop it before it starts."""
    script = resolve_script(path)
    root = find_root(script.parent)
    try:
        code = read_text(script)
    except UnreadableFile as exc:
        raise InvalidInput(f"{path}: {exc}", "save the script as UTF-8") from None
    python = _interpreter(script, root, options, view)

    def check() -> None:
        view.warnings(check_script(script, code, root, args))

    return run_file(script, root, args, options, view, windmill_path=script_path_of(script, root), python=python,
                    check=check)


def run_file(script: Path, root: Path, args: dict[str, Any], options: RunOptions, view, *,
             windmill_path: str | None, python: str | None = None, check: Callable[[], None] = lambda: None,
             run_options: dict[str, Any] | None = None) -> Outcome:
    """Run a workflow file to its end on the engine (`check` runs while the engine imports it; `run_options`:
    the run's cache and concurrency limit)."""
    digest = source_hash(script)
    with _scheduler(root, options, view) as scheduler:
        host = scheduler.host(str(script), str(root), python, source_hash=digest)  # imports while we check
        check()
        _loaded(scheduler, host)
        store = _store(scheduler)
        spec = RunSpec(str(script), args, project_root=str(root), windmill_path=windmill_path,
                       source_hash=digest, created_by=approver_name(options.approver), workspace=workspace_of(root),
                       python=python, options=run_options or {})
        run_id = store.create_run(spec, lease_owner=scheduler.owner)
        view.started(run_id, windmill_path or str(script))
        return Outcome(run_id, _drive(scheduler, run_id), store)


def _interpreter(script: Path, root: Path, options: RunOptions, view) -> str | None:
    """The interpreter of the environment holding the script's locked packages (None: wac's own)."""
    if options.env == "current":
        return None
    from .script_pins import script_pins

    try:
        cache = wac_dir(root) / "cache"
    except InvalidInput:
        cache = None
    pins = script_pins(script, root, options.resolution, cache)
    if not pins:
        return None
    from .environments import ensure  # here: a script without packages needs none of it (subprocess, shutil)

    what = script_path_of(script, root) or script.name
    return str(ensure(pins, options.resolution, lambda pins: view.installing(what, pins)))


def resume(ref: str, options: RunOptions, view, *, restart: bool) -> Outcome:
    """Continue a run from its checkpoint (or start it over with `restart`)."""
    store = open_local_store(options.store)
    job = find_run(store, ref)
    if job.finished and not restart:
        return Outcome(job.id, job.status, store, already_ended=True)
    script = Path(job.script_path)
    if not script.is_file():
        raise Failed(f"the script of run {job.id[:8]} is gone: {script}", "restore it, or preview another script")
    digest = source_hash(script)
    if not restart and job.source_hash != digest:
        raise InvalidInput(f"the script changed since run {job.id[:8]} started: step keys may have shifted",
                           f"start over with `wac job resume {job.id[:8]} --restart`")
    root = find_root(script.parent)
    with _scheduler(root, options, view) as scheduler:
        host = scheduler.host(str(script), str(root), source_hash=digest)
        if restart:
            check_script(script, read_text(script), root, job.args)
        _loaded(scheduler, host)
        run_id = job.id
        if restart:
            spec = RunSpec(str(script), job.args, project_root=str(root), windmill_path=job.windmill_path,
                           source_hash=digest, created_by=approver_name(options.approver), workspace=job.workspace)
            run_id = store.create_run(spec, lease_owner=scheduler.owner)
            if not job.finished:  # the old run ends: one run of the script goes on, not two
                store.cancel(job.id, f"restarted as run {run_id}", by=approver_name(options.approver))
        view.started(run_id, job.windmill_path or str(script))
        return Outcome(run_id, _drive(scheduler, run_id), store)


def find_job(store: Store, ref: str) -> Job:
    """The job an id (or a unique prefix of one) names."""
    matches = store.find(ref)
    if not matches:
        raise InvalidInput(f"no job matches `{ref}`", "list runs with `wac job list`")
    if len(matches) > 1:
        raise InvalidInput(f"`{ref}` matches {len(matches)} jobs", "give more characters of the id")
    return matches[0]


def find_run(store: Store, ref: str) -> Job:
    """The run (not a task) an id or prefix names."""
    job = find_job(store, ref)
    if job.parent_id is not None:
        raise InvalidInput(f"{ref} is a task of run {job.root_id[:8]}", "give the run's id, not a task's")
    return job


def _scheduler(root: Path, options: RunOptions, view) -> Scheduler:
    path = store_location(root, options.store, create=True)
    from .flows.calls import flow_caller, repo_flow_lookup

    settings = Settings(skip_sleeps=options.skip_sleeps, on_log=view.on_log, on_event=view.on_event,
                        on_sleep=view.on_sleep, job_env=job_env(root, options),
                        call_flow=flow_caller(repo_flow_lookup(root, options, view)))
    if options.workers:
        settings.workers = options.workers
    scheduler = Scheduler(path, settings)
    settings.on_approval = approval_policy(options, view, path, scheduler.wake)
    return scheduler


def job_env(root: Path, options: RunOptions) -> Callable[[Any], dict[str, str]]:
    """What a local run's jobs find in their environment: the repo's resources and variables (its workspace
    file, with --var and --resource over them), and when a `wac server` runs for the repo, its address and a
    token (to mint resume URLs for it and reach it with the SDK)."""
    from .repo_workspace import workspace_file
    from .server.setup import known_server, read_token

    env = workspace_env(str(workspace_file(root, options.resources, options.variables)))
    server = known_server(root)
    if server is not None:
        url = server["url"].rstrip("/")
        env.update(WM_BASE_URL=url, BASE_INTERNAL_URL=url)
        token = read_token(root / ".wac" / "server", server["workspace"])
        if token:
            env["WM_TOKEN"] = token
    return lambda row: env


def workspace_of(root: Path) -> str:
    """The workspace previews of this repo belong to: its server's, else `local`."""
    from .server.setup import known_server

    return (known_server(root) or {}).get("workspace", "local")


def _store(scheduler: Scheduler) -> Store:
    try:
        return open_store(scheduler.store_path)
    except StoreError as exc:
        raise from_engine(exc) from None


def _loaded(scheduler: Scheduler, host) -> None:
    try:
        scheduler.wait_loaded(host)
    except ScriptLoadError as exc:
        raise from_engine(exc) from None


def _drive(scheduler: Scheduler, run_id: str) -> str:
    try:
        return scheduler.drive(run_id)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: run {run_id} keeps its checkpoint",
                          f"continue it with `wac job resume {run_id[:8]}`") from None
    except (StoreError, ScriptLoadError, RunBusy) as exc:
        raise from_engine(exc) from None


def approver_name(given: str | None) -> str:
    """Who answers from this terminal: --approver, else the login name (Windmill's default: anonymous)."""
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:
        return "anonymous"


def approval_policy(options: RunOptions, view, store_path: Path,
                    wake: Callable[[], None]) -> Callable[[str, str, dict, float], Any]:
    """Answer approvals from flags, by asking in a terminal, or not at all (the run waits)."""
    if options.approve and options.reject:
        raise InvalidInput("--approve and --reject exclude each other", "pick one")
    value = parse_json_option(options.approval_value, "--approval-value")
    approver = approver_name(options.approver)
    if options.approve or options.reject or options.approval_value is not None:
        decision = {"approved": not options.reject, "value": value, "approver": approver}
        return lambda run_id, key, detail, deadline: decision

    def answer(run_id: str, key: str, approved: bool, form_value: Any) -> None:
        store = open_store(store_path)
        try:
            store.answer_approval(run_id, approved, form_value, approver, key)
        finally:
            store.close()
        wake()

    def ask(run_id: str, key: str, detail: dict, deadline: float) -> Any:
        asked = view.approval_requested(run_id, key, detail, deadline, answer)
        # with --await-approvals an answer may come from elsewhere (`wac job approve`, a page): never time out early
        return asked or (True if options.await_approvals else None)

    return ask

