"""What a run needs from the parser before it starts: lint findings and main()'s schema.

Cached by content hash (with the module files and rules version), so a
warm preview never loads the parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .args import check_args
from .errors import Failed, InvalidInput
from .json_cache import JsonCache
from .project import module_files, repo_flows, source_key, wac_dir

CACHE_NAME = "analysis.json"
CACHE_FORMAT = "1"
MAX_ENTRIES = 2000


class LintFailed(Failed):
    code = "lint_failed"


def analyze(script: Path, code: str, root: Path) -> dict[str, Any]:
    """Findings (without paths), schema, and whether main takes **kwargs / exists."""
    modules, flows = module_files(script), repo_flows(script, code)
    cache = JsonCache(wac_dir(root) / "cache" / CACHE_NAME, CACHE_FORMAT, MAX_ENTRIES)
    key = source_key(code, modules, flows)
    analysis = cache.get(key)
    if analysis is None:
        analysis = _analyze(code, str(script), modules, flows)
        cache.put(key, analysis, owner=str(script))
        cache.save()
    return analysis


def _analyze(code: str, path: str, modules: frozenset[str] | None, flows: frozenset[str] | None) -> dict[str, Any]:
    from wac.parser import SourceSyntaxError, default_schema, infer_schema, lint_source, parse_signature

    findings = [{k: v for k, v in f.to_json().items() if k != "path"}
                for f in lint_source(code, path, module_files=modules, repo_flows=flows)]
    try:
        signature = parse_signature(code)
    except SourceSyntaxError:
        return {"findings": findings, "schema": default_schema(), "star_kwargs": False, "no_main_func": False}
    return {"findings": findings, "schema": infer_schema(signature, default_schema()),
            "star_kwargs": signature.star_kwargs, "no_main_func": signature.no_main_func}


def check_script(script: Path, code: str, root: Path, args: dict[str, Any]) -> list[Any]:
    """Stop before running on lint errors, a missing main() or bad arguments; the warnings otherwise."""
    from wac.parser import ERROR, Finding

    analysis = analyze(script, code, root)
    shown = _shown(script)
    findings = [Finding(path=shown, **f) for f in analysis["findings"]]
    errors = [f for f in findings if f.severity == ERROR]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise LintFailed(f"{first.path}:{first.line}:{first.column} {first.code} {first.message}{more}",
                         f"{first.hint}; `wac lint {shown}` lists every finding")
    if analysis["no_main_func"]:
        raise InvalidInput(f"{shown} has no main() function", "define `async def main(...)` with @workflow")
    problems = check_args(args, analysis["schema"], star_kwargs=analysis["star_kwargs"])
    if problems:
        raise InvalidInput("invalid arguments: " + "; ".join(problems),
                           "pass them with -d '{...}' matching main()'s signature")
    return [f for f in findings if f.severity != ERROR]


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
