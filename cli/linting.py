"""`wac lint`: find scripts and item files, lint them (scripts cached by content hash, in parallel).

Python scripts (flows' inline steps among them) get the WAC rules; flow, schedule and trigger
files the checks `wmill lint` makes (see `item_lint`); every item file whose Windmill path
would be refused a finding of its own. Scripts in other languages are named, not linted.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from wac.parser import ERROR, RULES_VERSION, Finding

from .errors import PathNotFound
from .files import UnreadableFile, read_text
from .item_lint import is_item_file, is_named_item_file, lint_item_file, path_findings
from .json_cache import JsonCache
from .kinds.languages import display_name, language_of
from .project import SKIPPED_DIRS, find_root, module_files, repo_flows, source_key

CACHE_FORMAT = 1
# Below this many files to lint, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 150
MAX_CACHE_ENTRIES = 50_000


@dataclass
class LintReport:
    """Findings of one run, with counts for the summary line."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    cache_hits: int = 0
    not_linted: list[str] = field(default_factory=list)  # scripts in languages wac does not lint

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


class LintCache(JsonCache):
    """Findings (without their path) keyed by sha256 of (rules version, module files, content)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, f"{CACHE_FORMAT}:{RULES_VERSION}", MAX_CACHE_ENTRIES)

    def put_findings(self, key: str, findings: list[Finding]) -> None:
        self.put(key, [{k: v for k, v in f.to_json().items() if k != "path"} for f in findings])


def lint_paths(targets: list[Path], *, cache: LintCache | None = None, jobs: int | None = None) -> LintReport:
    """Lint every Python file under `targets`; unreadable files become findings."""
    files: dict[Path, None] = {}
    items: dict[Path, None] = {}
    named: dict[Path, None] = {}  # resources, variables...: only their path is checked
    others: dict[Path, None] = {}
    for target in targets:
        if not target.exists():
            raise PathNotFound(str(target))
        for path in _files(target):
            name = path.name
            if name.endswith(".py"):
                files[path] = None
            elif is_item_file(path.as_posix()):
                items[path] = None
            elif is_named_item_file(name):
                named[path] = None
            elif target.is_file() and language_of(name):
                others[path] = None
    report = LintReport(files_checked=len(files) + len(items),
                        not_linted=[f"{_display(p)} ({display_name(language_of(p.name) or '')})" for p in others])
    for path in items:
        report.findings.extend(lint_item_file(path, _display(path)))
    roots: dict[Path, Path] = {}
    for path in [*files, *items, *named]:
        report.findings.extend(_path_findings(path, roots))
    pending: list[tuple[str, str, frozenset[str] | None, frozenset[str] | None, str]] = []
    for path in files:
        shown = _display(path)
        try:
            code = read_text(path)
        except UnreadableFile as exc:
            report.findings.append(Finding(shown, 1, 1, "WAC002", "unreadable-file", ERROR, str(exc),
                                           "save the file as UTF-8 text"))
            continue
        modules, flows = module_files(path), repo_flows(path, code)
        key = source_key(code, modules, flows)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            report.cache_hits += 1
            report.findings.extend(Finding(path=shown, **entry) for entry in cached)
        else:
            pending.append((code, shown, modules, flows, key))
    for (*_, key), findings in zip(pending, _run(pending, jobs)):
        if cache is not None:
            cache.put_findings(key, findings)
        report.findings.extend(findings)
    if cache is not None:
        cache.save()
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return report


def _lint_one(item: tuple[str, str, frozenset[str] | None, frozenset[str] | None, str]) -> list[Finding]:
    from wac.parser import lint_source  # libcst loads only when a file needs linting

    code, shown, modules, flows, _ = item
    return lint_source(code, shown, module_files=modules, repo_flows=flows)


def _run(pending: list[tuple[str, str, frozenset[str] | None, frozenset[str] | None, str]],
         jobs: int | None) -> list[list[Finding]]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(pending) < PARALLEL_THRESHOLD:
        return [_lint_one(item) for item in pending]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_lint_one, pending, chunksize=max(1, len(pending) // (workers * 4))))


def _files(target: Path) -> list[Path]:
    """`target` itself, or every file below it, skipping tool folders."""
    if target.is_file():
        return [target]
    return [path for path in sorted(target.rglob("*"))
            if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(target).parts[:-1])]


def _path_findings(path: Path, roots: dict[Path, Path]) -> list[Finding]:
    """Findings for an item path Windmill would refuse (files inside a Windmill repo only)."""
    if path.parent not in roots:
        roots[path.parent] = find_root(path.parent)
    root = roots[path.parent]
    if not (root / "wmill.yaml").is_file():
        return []
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return []
    return path_findings(relative, _display(path))


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
