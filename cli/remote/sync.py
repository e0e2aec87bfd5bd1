"""`wac sync push` / `pull`: read both sides, plan, apply, record what is now in sync."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..config import SyncConfig
from ..errors import Failed
from ..files import UnreadableFile, check_writable, read_text, write_atomic
from .changes import DELETED, Change, item_digests
from .client import WindmillClient
from .local_tree import LocalTree, read_tree
from .push import ItemResult, Pusher
from .remote_tree import RemoteTree, read_archive, render, render_context
from .sync_plan import PUSH, SyncPlan, make_plan
from .sync_record import SyncRecord
from .target import Target


@dataclass
class Session:
    """One sync run against one workspace, from one repo."""

    root: Path
    config: SyncConfig
    target: Target
    client: WindmillClient
    local: LocalTree = field(default_factory=LocalTree)
    remote: RemoteTree = field(default_factory=RemoteTree)
    record: SyncRecord | None = None
    archive: dict[str, str] = field(default_factory=dict)
    file_types: dict = field(default_factory=dict)
    version: str = ""

    def plan(self, direction: str, *, delete: bool, force: bool) -> SyncPlan:
        """Check the login, read the repo and the workspace archive, and diff them."""
        self.client.whoami()
        self.file_types = self.client.file_resource_types()
        data, kind = self.client.tarball(self.config)
        self.archive = read_archive(data, kind)
        if direction == PUSH:
            self.version = self.client.version()
        self.record = SyncRecord.load(self.root, self.target)
        return self.replan(direction, delete=delete, force=force)

    def replan(self, direction: str, *, delete: bool, force: bool) -> SyncPlan:
        """Plan again after the repo changed (metadata regenerated), with the archive already read."""
        self.local = read_tree(self.root, self.config)
        self.remote = self._render(self.archive, direction)
        assert self.record is not None
        return make_plan(direction, self.local, self.remote, self.record, delete=delete, force=force,
                         suffixes=self.config.suffixes)

    def _render(self, archive: dict[str, str], direction: str) -> RemoteTree:
        context = render_context(self.config, self.file_types,
                                 self._local_flow_names if direction == PUSH else lambda folder: {})
        return render(archive, self.local.flat_module_scripts(), context)

    def _local_flow_names(self, folder: str) -> dict[str, str]:
        """A local flow's inline file per step, so a push compares files under the repo's names."""
        from ..kinds.flow_modules import local_mapping

        return local_mapping(self.local.values.get(f"{folder}/flow.yaml"))

    def preflight(self, plan: SyncPlan) -> None:
        """Refuse the push before anything is sent when an item it would write cannot be accepted."""
        from ..kinds import PushContext
        from .preflight import check

        def read(relative: str) -> str | None:
            try:
                return self.local.files.get(relative) or read_text(self.root / relative)
            except UnreadableFile:
                return None

        check(plan.changes, PushContext(self.client, self.config, read), self.local.files,
              self.client.resource_type_names)

    def push(self, plan: SyncPlan, *, message: str | None, force: bool, parallel: int,
             on_result: Callable[[ItemResult], None]) -> tuple[list[ItemResult], list[dict]]:
        """Apply a push plan; the item results and the server's lock jobs that failed or still run."""
        since = datetime.now(timezone.utc).isoformat()
        pusher = Pusher(self.client, self.root, self.local, self.remote, config=self.config,
                        message=message, force=force)
        try:
            pusher.apply(plan.changes, parallel, on_result)
        except BaseException:  # also after Ctrl-C: what was pushed is forgotten, the rest kept
            self._save_record(plan, {r.item: (None, None) for r in pusher.done if r.ok})
            raise
        pushed_items = [r.item for r in pusher.done if r.ok]
        after = self._read_back() if pushed_items else {}
        self._save_record(plan, {item: (plan.local_digests.get(item), after.get(item)) for item in pushed_items},
                          remote=after or None)
        results = pusher.done
        pushed = {r.item for r in results if r.ok and r.kind == "script"}
        jobs = self.client.failed_dependency_jobs(since) if pushed else []
        return results, [job for job in jobs if job.get("script_path") in pushed]

    def pull(self, plan: SyncPlan, on_change: Callable[[Change], None], *, fill_missing: bool) -> int:
        """Write the plan's files (each atomically), then record wmill-lock.yaml hashes of the pulled
        items and, with `fill_missing`, of every item it lacks (as wmill, even with nothing pulled);
        the entries filled."""
        from ..metadata.generate import MetadataRun, Options

        if not plan.changes and not fill_missing:
            self._save_record(plan, {})
            return 0
        check_writable([self.root / change.path for change in plan.changes] + [self.root / "wmill-lock.yaml"])
        for change in plan.changes:
            on_change(change)
            target = self.root / change.path
            if change.name == DELETED:
                target.unlink(missing_ok=True)
            else:
                write_atomic(target, change.after or "")
        self._save_record(plan, {c.item: (plan.remote_digests.get(c.item),) * 2 for c in plan.changes})
        run = MetadataRun(self.root, self.config, Options())
        return run.record_pulled({c.item for c in plan.changes}, fill_missing=fill_missing)

    def _read_back(self) -> dict[str, str]:
        """The workspace's digests after a push (what it made of the items); {} when it cannot be read."""
        try:
            data, kind = self.client.tarball(self.config)
            remote = self._render(read_archive(data, kind), PUSH)
        except Failed:
            return {}
        return item_digests(remote.values, self.config.suffixes)

    def _save_record(self, plan: SyncPlan, applied: dict[str, tuple[str | None, str | None]],
                     remote: dict[str, str] | None = None) -> None:
        if self.record is not None:
            self.record.save(plan.local_digests, plan.remote_digests if remote is None else remote, applied)
            self.local.save_cache()


def stale_scripts(root: Path, config: SyncConfig, items: set[str], *, regenerate: bool) -> list[str]:
    """Changed scripts whose metadata is stale (per wmill-lock.yaml); with `regenerate`, regenerated first.

    Returns the stale ones left (regeneration failures included, as `path: error`)."""
    from ..metadata.generate import MetadataRun, Options
    from ..metadata.staleness import Plan

    run = MetadataRun(root, config, Options())
    planned = run.plan(rendering=regenerate)
    stale = [s for s in planned.stale if s.item.remote in items]
    if not regenerate or not stale:
        return [f"{s.item.remote} ({s.reason})" for s in stale]
    result = run.apply(Plan(stale=stale, states=run.states, signature_sources=planned.signature_sources),
                       locker=run.locker())
    return [f"{r.item.remote}: {r.error}" for r in result.failed]
