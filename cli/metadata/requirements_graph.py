"""A script's full requirement set: its own plus its workspace imports', recursively."""

from __future__ import annotations

from dataclasses import dataclass, field

from .items import ScriptItem


@dataclass(frozen=True)
class RequirementSet:
    """What one lock is resolved from; equal sets share one resolution."""

    packages: tuple[str, ...]
    manual: bool = False
    python: str | None = None
    notes: tuple[str, ...] = field(default=())


def requirements_for(remote: str, texts: dict[str, str]) -> RequirementSet:
    """Merge the requirements of `remote` and every local script it imports."""
    from wac.parser import SourceSyntaxError, infer_requirements

    packages: set[str] = set()
    notes: list[str] = []
    manual = False
    python = None
    seen: set[str] = set()
    pending = [remote]
    while pending:
        current = pending.pop()
        if current in seen or current not in texts:
            continue
        seen.add(current)
        try:
            found = infer_requirements(texts[current], current)
        except SourceSyntaxError as exc:
            raise ValueError(f"{current}: cannot read imports: {exc}") from None
        if current == remote:
            manual, python = found.manual, found.python
        packages.update(found.packages)
        notes.extend(f"multiple pins for {c}" for c in found.conflicts)
        if not found.manual:
            pending.extend(found.workspace_imports)
    return RequirementSet(tuple(sorted(packages)), manual, python, tuple(notes))


def module_requirements(item: ScriptItem, rel: str, text: str) -> RequirementSet:
    """Requirements of one `__mod` module file, from its own imports only."""
    from wac.parser import infer_requirements

    found = infer_requirements(text, f"{item.remote}/{rel}")
    return RequirementSet(tuple(found.packages), found.manual, found.python)
