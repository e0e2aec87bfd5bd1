"""Rendering a script's new `.script.yaml` text: pure, so it can run in worker processes."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .script_metadata import MetadataError, parse_metadata_text, with_new_schema
from .yaml_emit import dump

# Forking workers pays off only for larger runs.
PROCESS_THRESHOLD = 100


@dataclass(frozen=True)
class RenderJob:
    metadata_local: str
    lock_ref: str  # the value of `lock:`: `!inline <path>` or ''
    script_text: str
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
        metadata, warning = with_new_schema(metadata, job.script_text)
    metadata["lock"] = job.lock_ref
    return Rendered(text=dump(metadata), warning=warning)


def render_all(jobs: list[RenderJob]) -> list[Rendered]:
    """Render every job, on all cores when there are many."""
    workers = os.cpu_count() or 1
    if len(jobs) < PROCESS_THRESHOLD or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [render(job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(render, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
