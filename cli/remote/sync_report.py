"""What `wac sync` prints: the plan as `wmill` prints it (`+ / ~ / -`), what is held back and why,
progress (a bar in a terminal, a line per item in CI), and the outcome; or one JSON document."""

from __future__ import annotations

import difflib
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..kinds import KINDS
from ..kinds.raw_app_bundle import INSTALL_HINT
from ..output import Output
from ..terminal import Style
from .changes import ADDED, DELETED, Change
from .push import ARCHIVED, CREATED, FAILED, NOT_ATTEMPTED, SKIPPED, UP_TO_DATE, ItemResult
from .sync_plan import PUSH, SyncPlan
from .target import Target

_DIFF_LIMIT = 20000
_COLOURS = {"+": "32", "~": "33", "-": "31"}


class SyncReport:
    def __init__(self, out: Output, target: Target, *, json_mode: bool, show_diffs: bool) -> None:
        self.out = out
        self.target = target
        self.json_mode = json_mode
        self.show_diffs = show_diffs
        self.style = Style.for_stream(sys.stdout)

    def plan(self, plan: SyncPlan, version: str) -> None:
        if self.json_mode:
            return
        arrow = "<-" if plan.direction == PUSH else "->"
        if version:
            self.out.line(self.style.dim(f"Remote version: {version}"))
        self.out.line(f"remote ({self.target.name}) {arrow} local: {len(plan.changes)} changes to apply")
        for change in plan.changes:
            self.out.line(self.style.paint(change.line(), _COLOURS[change.line()[0]]))
            if self.show_diffs and change.before is not None and change.after is not None:
                self._diff(change)
        self._held(plan)

    def _held(self, plan: SyncPlan) -> None:
        other_side = "workspace" if plan.direction == PUSH else "repo"
        edited, deleted = self._conflicts(plan)
        if edited:
            self.out.line(self.style.paint(
                f"! {len(edited)} item(s) changed in the {other_side} since the last sync, skipped "
                f"(--force overwrites them): {', '.join(edited)}", "33"))
        if deleted:
            self.out.line(self.style.paint(
                f"! {len(deleted)} item(s) deleted in the {other_side} since the last sync, skipped: "
                f"{', '.join(deleted)}", "33"))
        if plan.held_deletions:
            items = sorted({c.item for c in plan.held_deletions})
            verb = "archives" if plan.direction == PUSH else "deletes"
            self.out.line(f"{len(items)} item(s) only in the {other_side}, kept (--delete {verb} them): "
                          f"{', '.join(items)}")
        target = plan.remote_digests if plan.direction == PUSH else plan.local_digests
        if not plan.has_record and any(c.item in target for c in plan.changes):
            self.out.line(self.style.dim(
                f"No earlier sync with {self.target.workspace} on {self.target.remote} from this repo: "
                f"edits made in the {other_side} since cannot be told apart (as with wmill)."))
        if plan.other_kinds:
            kinds = ", ".join(f"{n} {kind} file(s)" for kind, n in sorted(plan.other_kinds.items()))
            self.out.line(self.style.dim(f"Left alone ({kinds}): sync these with `wmill sync`."))
            if "raw_app" in plan.other_kinds:  # left because nothing here bundles them
                self.out.line(self.style.dim(f"Raw apps need bundling: {INSTALL_HINT}, and wac pushes them."))

    @staticmethod
    def _conflicts(plan: SyncPlan) -> tuple[list[str], list[str]]:
        """Items held back because the target side changed since the last sync: edited, and deleted."""
        target = plan.remote_digests if plan.direction == PUSH else plan.local_digests
        items = sorted({c.item for c in plan.conflicts})
        return [i for i in items if i in target], [i for i in items if i not in target]

    def _diff(self, change: Change) -> None:
        before, after = change.before or "", change.after or ""
        if change.kind == "encryption_key":  # as wmill: never the key itself
            before, after = (text.strip()[:5] + "*" * max(0, len(text.strip()) - 5) for text in (before, after))
        if len(before) > _DIFF_LIMIT or len(after) > _DIFF_LIMIT:
            self.out.line(self.style.dim("  Diff too large to display"))
            return
        old, new = before.splitlines(), after.splitlines()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                same = old[i1:i2]
                for line in same if len(same) <= 4 else [*same[:2], "...", *same[-2:]]:
                    self.out.line(self.style.dim(f"    {line}"))
                continue
            for line in old[i1:i2]:
                self.out.line(self.style.paint(f"  - {line}", "31"))
            for line in new[j1:j2]:
                self.out.line(self.style.paint(f"  + {line}", "32"))

    @contextmanager
    def progress(self, total: int) -> Iterator[Callable[[ItemResult], None]]:
        """A bar in a terminal (lines for failures), else one line per item."""
        if self.json_mode:
            yield lambda result: None
            return
        if not self.out.out.is_terminal:
            yield lambda result: self.out.line(self._result_line(result))
            return
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=self.out.out, transient=True) as bar:
            task = bar.add_task("Pushing", total=total)

            def advance(result: ItemResult) -> None:
                bar.update(task, advance=1, description=escape(result.item))
                if not result.ok:
                    bar.console.print(escape(self._result_line(result)), highlight=False)

            yield advance

    def _result_line(self, result: ItemResult) -> str:
        took = f" ({result.millis:.0f}ms)"
        name = result.item.removesuffix("/folder") if result.kind == "folder" else result.item
        if result.kind in KINDS and result.kind != "folder":
            name = KINDS[result.kind].remote_path(result.item)
        if result.outcome == CREATED:
            return f"Created new {result.kind} {name}{took}"
        if result.outcome == ARCHIVED:
            return f"{'Archived' if result.kind == 'script' else 'Deleted'} {result.kind} {name}{took}"
        if result.outcome == UP_TO_DATE:
            return f"{result.kind.capitalize()} {name} is up to date"
        if result.outcome in (SKIPPED, FAILED, NOT_ATTEMPTED):
            return f"{result.outcome.capitalize()}: {name}: {result.detail}"
        return f"Updated {result.kind} {name}{took}"

    def pull_change(self, change: Change) -> None:
        if self.json_mode:
            return
        verb = {ADDED: "Writing", DELETED: "Deleting"}.get(change.name, "Editing")
        self.out.line(f"{verb} {change.kind} {change.path}")

    def pushed(self, plan: SyncPlan, results: list[ItemResult], jobs: list[dict[str, Any]], millis: float) -> None:
        failed = [r for r in results if not r.ok]
        bare = sorted(r.item for r in results if r.ok and r.without_metadata)
        if self.json_mode:
            self.out.print_json(self._document(plan, results))
            return
        if bare:
            self.out.line(self.style.paint(
                f"Pushed without .script.yaml (empty schema; the server computes the lock): {', '.join(bare)}; "
                "run `wac generate-metadata` to keep metadata in the repo", "33"))
        for job in jobs:
            state = "still being computed" if job.get("queued") else "FAILED"
            self.out.line(self.style.paint(f"server-side lock generation {state} for {job.get('script_path')}", "33"))
        edited, deleted = self._conflicts(plan)
        if edited:
            self.out.line(self.style.paint(
                "Not pushed: items changed in the workspace since the last sync. Pull them first "
                "(`wac sync pull`), or overwrite them with --force.", "31"))
        if deleted:
            self.out.line(self.style.paint(
                "Not pushed: items deleted in the workspace since the last sync. `wac sync pull --delete` deletes "
                "them here too; `wac sync push --force` puts them back.", "31"))
        if failed:
            self.out.line(self.style.paint(f"{len(failed)} of {len(results)} item(s) were not pushed:", "31"))
            for result in failed:
                self.out.line(f"  {result.item}: {result.outcome}: {result.detail}")
            self.out.line("Re-run the push to finish: items already pushed are skipped.")
            return
        if not plan.changes:
            return
        self.out.line(self.style.paint(
            f"Done! All {len(plan.changes)} changes pushed to the remote workspace {self.target.workspace} named "
            f"{self.target.name} ({millis:.0f}ms)", "32", bold=True))

    def pulled(self, plan: SyncPlan, filled: int) -> None:
        if self.json_mode:
            self.out.print_json(self._document(plan, None))
            return
        edited, deleted = self._conflicts(plan)
        if edited:
            self.out.line(self.style.paint(
                "Not pulled: items edited in the repo since the last sync. Push them first, "
                "or overwrite them with --force.", "31"))
        if deleted:
            self.out.line(self.style.paint(
                "Not pulled: items deleted in the repo since the last sync. `wac sync push --delete` deletes them "
                "in the workspace too; `wac sync pull --force` gets them back.", "31"))
        if plan.changes:
            self.out.line("All local changes pulled, now updating wmill-lock.yaml")
        if filled:
            self.out.line(f"Auto-filled {filled} missing lockfile entries from disk.")
        if plan.changes:
            self.out.line(self.style.paint(
                f"Done! All {len(plan.changes)} changes applied locally and wmill-lock.yaml updated.", "32",
                bold=True))

    def dry_run(self, plan: SyncPlan) -> None:
        if self.json_mode:
            self.out.print_json(self._document(plan, None))
        else:
            self.out.line(self.style.dim("Dry run complete."))

    def _document(self, plan: SyncPlan, results: list[ItemResult] | None) -> dict[str, Any]:
        """`{success, changes, total}` as `wmill --json-output`, plus what wac held back or failed."""
        failed = [r for r in results or [] if not r.ok]
        return {
            "success": not failed and not plan.conflicts,
            "changes": [{"type": c.name, "path": c.path} for c in plan.changes],
            "total": len(plan.changes),
            "skipped_changed_on_target": sorted({c.item for c in plan.conflicts}),
            "kept_deletions": sorted({c.item for c in plan.held_deletions}),
            "failed": [{"item": r.item, "outcome": r.outcome, "error": r.detail} for r in failed],
        }
