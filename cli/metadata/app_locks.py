"""Regenerating a stale app's (or raw app's) metadata: locks of its Python inline scripts, resolved here.

What `wmill generate-metadata` does with one server dependency job per inline script, done offline:
every inline script but frontend ones is relocked (Python by pip-tools; languages that take no lock,
such as Bash or SQL, keep theirs), each goes back to its file named from the runnable's current name
(`<name>.inline_script.<ext>`, its lock beside it), `app.yaml` is written as wmill writes it, and the
hashes are recorded. A script in a language wac cannot lock (TypeScript, Go, ...) leaves the whole app
untouched and says so.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import read_or_none, write_if_changed
from ..kinds.app import read_back
from ..kinds.raw_app import backend_runnables, written_runnable
from ..kinds.flow_modules import INLINE, PathAssigner
from ..kinds.languages import LOCKED_LANGUAGES, display_name
from .flow_locks import FlowOutcome
from .folder_items import RAW_APP_BACKEND, FolderState, app_inline_scripts, folder_hashes, hashed_files
from .locks import version_changes
from .script_metadata import MetadataError, parse_metadata_text
from .yaml_emit import dump

if TYPE_CHECKING:
    from ..config import SyncConfig

FRONTEND, PYTHON = "frontend", "python3"


def regenerate(state: FolderState, locker, config: "SyncConfig") -> FlowOutcome:
    """Relock and rewrite one stale classic app (`locker` None: `--schema-only`, nothing to lock)."""
    item = state.item
    if item.kind == "raw_app":
        return _regenerate_raw(state, locker, config)
    app = copy.deepcopy(state.definition or {})
    value = app.get("value")
    if not isinstance(value, dict):
        return FlowOutcome(error=f"{item.folder}/app.yaml: `value` must be a mapping (the app's components)")
    folder = item.root / item.folder
    scripts = [(where, script) for where, script in app_inline_scripts(value)
               if isinstance(script.get("content"), str) and script.get("content") and script.get("language")]
    for _, script in scripts:
        for field in ("content", "lock"):
            text = script.get(field)
            if isinstance(text, str) and text.startswith(INLINE):
                script[field] = read_or_none(folder / text[len(INLINE):].strip()) or ""
    blocked = sorted({display_name(s["language"]) for _, s in scripts
                      if s["language"] in LOCKED_LANGUAGES and s["language"] != PYTHON})
    if blocked:
        return FlowOutcome(unsupported=f"its {', '.join(blocked)} scripts need the server to lock them")
    outcome = FlowOutcome()
    assigner = PathAssigner(config.default_ts, non_dotted=config.non_dotted_paths)
    for where, script in scripts:
        name = _runnable_name(value, where)
        lock = None
        if script["language"] == PYTHON and locker is not None:
            try:
                lock = locker.render_for(f"{item.folder}/{'/'.join(where)}", script["content"])
            except ValueError as exc:
                return FlowOutcome(error=f"lock failed for {name!r}: {exc}")
            outcome.changes += version_changes(script.get("lock") or "", lock)
            outcome.updated.append(name)
        base, ext = assigner.assign(name, script["language"])
        write_if_changed(folder / (base + ext), script["content"])
        script["content"] = INLINE + base + ext
        if lock:
            write_if_changed(folder / (base + "lock"), lock)
            script["lock"] = INLINE + base + "lock"
    write_if_changed(folder / "app.yaml", dump(app))
    outcome.hashes = folder_hashes(item.folder, item.top_key, hashed_files(item))
    return outcome


def _regenerate_raw(state: FolderState, locker, config: "SyncConfig") -> FlowOutcome:
    """A raw app as wmill's updateRawAppRunnables leaves it: each inline runnable's code in `backend/<id>.<ext>`
    (a Python one's lock resolved here, `<id>.lock`), its `<id>.yaml` without the code, the hashes recorded."""
    item = state.item
    backend_dir = item.root / item.folder / RAW_APP_BACKEND
    backend = {p.name: text for p in sorted(backend_dir.iterdir()) if p.is_file()
               for text in [read_or_none(p)] if text is not None} if backend_dir.is_dir() else {}
    try:
        runnables = backend_runnables(backend, config.default_ts, lambda name: _parsed(backend_dir / name))
    except MetadataError as exc:
        return FlowOutcome(error=str(exc))
    runnables = runnables or copy.deepcopy((state.definition or {}).get("runnables") or {})
    read_back(runnables, backend.get, typed=False)
    scripts = {rid: r["inlineScript"] for rid, r in runnables.items() if isinstance(r, dict)
               and r.get("type") in ("inline", "runnableByName") and isinstance(r.get("inlineScript"), dict)}
    blocked = sorted({display_name(s.get("language") or "") for s in scripts.values()
                      if s.get("content") and s.get("language") in LOCKED_LANGUAGES and s["language"] != PYTHON})
    if blocked:
        return FlowOutcome(unsupported=f"its {', '.join(blocked)} runnables need the server to lock them")
    outcome = FlowOutcome()
    assigner = PathAssigner(config.default_ts, raw=True)
    for runnable_id, runnable in runnables.items():
        script = scripts.get(runnable_id) or {}
        content, language = script.get("content"), script.get("language")
        if isinstance(content, str) and content and language and not content.startswith(INLINE):
            base, ext = assigner.assign(runnable_id, language)
            write_if_changed(backend_dir / (base + ext), content)
            if language == PYTHON and locker is not None:
                try:
                    lock = locker.render_for(f"{item.folder}/{runnable_id}", content)
                except ValueError as exc:
                    return FlowOutcome(error=f"lock failed for runnable {runnable_id!r}: {exc}")
                outcome.changes += version_changes(script.get("lock") or "", lock)
                outcome.updated.append(runnable_id)
                if lock:
                    write_if_changed(backend_dir / (base + "lock"), lock)
            runnable = {"type": "inline", **{k: v for k, v in runnable.items() if k not in ("inlineScript", "type")}}
        write_if_changed(backend_dir / f"{runnable_id}.yaml", dump(written_runnable(runnable)))
    outcome.hashes = folder_hashes(item.folder, item.top_key, hashed_files(item))
    return outcome


def _parsed(path: Path) -> dict[str, Any]:
    """A backend `<id>.yaml`, parsed (wmill's yamlParseFile)."""
    return parse_metadata_text(str(path), read_or_none(path) or "")


def _runnable_name(value: Any, where: tuple[str, ...]) -> str:
    """The `name` beside the inline script at `where` (wmill's "unnamed" when it has none)."""
    node = value
    for step in where:
        node = node[int(step[1:-1])] if step.startswith("[") else node[step]
    name = node.get("name") if isinstance(node, dict) else None
    return name if isinstance(name, str) and name else "unnamed"
