"""Rendering a script's new `.script.yaml` text: pure, so it can run in worker processes."""

from __future__ import annotations

from dataclasses import dataclass

from .cores import map_on_cores
from .script_metadata import MetadataError, parse_metadata_text, with_new_schema
from .yaml_emit import dump

# Forking workers pays off only for larger runs.
PROCESS_THRESHOLD = 100


@dataclass(frozen=True)
class RenderJob:
    metadata_local: str
    lock_ref: str  # the value of `lock:`: `!inline <path>` or ''
    signature_text: str  # the script, or only the part main's signature is read from
    metadata_text: str | None
    default: dict  # the metadata to start from when there is no file
    update_schema: bool


@dataclass(frozen=True)
class Rendered:
    text: str | None = None
    warning: str | None = None
    error: str | None = None


def render(job: RenderJob) -> Rendered:
    """New metadata text for one script, or the error that stops it."""
    try:
        if job.metadata_text is None:
            metadata = dict(job.default)
        else:
            metadata = parse_metadata_text(job.metadata_local, job.metadata_text)
    except MetadataError as exc:
        return Rendered(error=str(exc))
    warning = None
    if job.update_schema:
        metadata, warning = with_new_schema(metadata, job.signature_text)
    metadata["lock"] = job.lock_ref
    return Rendered(text=dump(metadata), warning=warning)


def render_all(jobs: list[RenderJob]) -> list[Rendered]:
    """Render every job, on all cores when there are many."""
    return map_on_cores(render, jobs, PROCESS_THRESHOLD)
