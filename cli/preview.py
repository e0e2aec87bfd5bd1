"""Preparing and running a local preview: lint first, check args, then the executor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wac.sdk._engine.scheduler import Executor, Settings

from . import analysis_cache
from .args import check_args
from .errors import InvalidInput, PathNotFound, WacError
from .files import UnreadableFile, read_text
from .project import find_root, module_files

STORE_RELATIVE = Path(".wac") / "jobs.db"


class LintFailed(WacError):
    code = "lint_failed"
    exit_code = 1


class RunNotFound(WacError):
    code = "not_found"

    def __init__(self, ref: str) -> None:
        super().__init__(f"no job matches `{ref}`", "list jobs with `wac job list`")


@dataclass
class Prepared:
    script: Path
    root: Path
    store: Path
    warnings: list[Any]


def store_path(root: Path, override: Path | None = None) -> Path:
    return override if override is not None else root / STORE_RELATIVE


def prepare(path: Path, args: dict[str, Any], store: Path | None = None) -> Prepared:
    """Check the script before anything runs: readable, lint-clean, arguments valid."""
    from wac.parser import ERROR, RULES_VERSION, Finding

    if not path.is_file():
        raise PathNotFound(str(path))
    if path.name.endswith((".script.yaml", ".script.lock")):
        raise InvalidInput(f"{path} is a metadata file", "preview the script itself, e.g. f/x/y.py")
    try:
        code = read_text(path)
    except UnreadableFile as exc:
        raise InvalidInput(f"{path}: {exc}", "save the script as UTF-8") from None
    root = find_root(path.parent)
    modules = module_files(path)
    cache_dir = root / ".wac" / "cache"
    key = analysis_cache.analysis_key(code, modules, RULES_VERSION)
    cache = analysis_cache.open_cache(cache_dir)
    analysis = cache.get(key)
    if analysis is None:
        analysis = _analyze(code, str(path), modules)
        cache.put(key, analysis)
        cache.save()
    findings = [Finding(path=str(path), **f) for f in analysis["findings"]]
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise LintFailed(f"{first.path}:{first.line}:{first.column} {first.code} {first.message}{more}",
                         f"{first.hint}; `wac lint {path}` lists every finding")
    if analysis["no_main_func"]:
        raise InvalidInput(f"{path} has no main() function", "define `async def main(...)` with @workflow")
    problems = check_args(args, analysis["schema"], star_kwargs=analysis["star_kwargs"])
    if problems:
        raise InvalidInput("invalid arguments: " + "; ".join(problems),
                           "pass them with -d '{...}' matching main()'s signature")
    return Prepared(path.resolve(), root, store_path(root, store), [f for f in findings if f.severity != ERROR])


def _analyze(code: str, path: str, modules: frozenset[str] | None) -> dict[str, Any]:
    """Lint findings and main()'s schema: the parts of preview that need libcst."""
    from wac.parser import SourceSyntaxError, default_schema, infer_schema, lint_source, parse_signature

    findings = [{k: v for k, v in f.to_json().items() if k != "path"}
                for f in lint_source(code, path, module_files=modules)]
    try:
        signature = parse_signature(code)
    except SourceSyntaxError:
        return {"findings": findings, "schema": default_schema(), "star_kwargs": False, "no_main_func": False}
    return {"findings": findings, "schema": infer_schema(signature, default_schema()),
            "star_kwargs": signature.star_kwargs, "no_main_func": signature.no_main_func}


def executor(prepared: Prepared, settings: Settings) -> Executor:
    return Executor(prepared.store, prepared.script, prepared.root, settings)


def resume_target(store: Path, ref: str):
    """The root job a (prefix of an) id names, read from the store."""
    from wac.sdk._engine.store import JobStore

    if not store.is_file():
        raise RunNotFound(ref)
    matches = JobStore(store).find_job(ref)
    if not matches:
        raise RunNotFound(ref)
    if len(matches) > 1:
        raise InvalidInput(f"`{ref}` matches {len(matches)} jobs", "give more characters of the id")
    job = matches[0]
    if job["parent_id"] is not None:
        raise InvalidInput(f"{ref} is a task of run {job['root_id'][:8]}", "resume the run, not the task")
    return job


def source_changed_error(job_id: str) -> WacError:
    return InvalidInput(f"the script changed since run {job_id[:8]} started: step keys may have shifted",
                        "start over with `wac job resume <id> --restart`")
