"""What a push or a pull will do: the changes to apply and the ones held back, with reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..kinds import KINDS
from ..kinds.paths import DOTTED, FolderSuffixes
from .changes import DELETED, Change, diff, item_digests
from .local_tree import LocalTree
from .remote_tree import RemoteTree
from .sync_record import SyncRecord

PUSH, PULL = "push", "pull"


@dataclass
class SyncPlan:
    direction: str
    changes: list[Change]  # to apply, in order
    held_deletions: list[Change] = field(default_factory=list)  # items only on the target side (no --delete)
    conflicts: list[Change] = field(default_factory=list)  # target side edited since the last sync (no --force)
    local_digests: dict[str, str] = field(default_factory=dict)
    remote_digests: dict[str, str] = field(default_factory=dict)
    has_record: bool = False
    other_kinds: Counter = field(default_factory=Counter)

    @property
    def source_digests(self) -> dict[str, str]:
        return self.local_digests if self.direction == PUSH else self.remote_digests


def make_plan(direction: str, local: LocalTree, remote: RemoteTree, record: SyncRecord, *,
              delete: bool, force: bool, suffixes: FolderSuffixes = DOTTED) -> SyncPlan:
    """Diff the trees in `direction`; hold back item deletions and target-side edits unless asked."""
    source, target = (local, remote) if direction == PUSH else (remote, local)
    everything = diff(source, target, pulling=direction == PULL, suffixes=suffixes)
    plan = SyncPlan(direction, [], local_digests=item_digests(local.values, suffixes),
                    remote_digests=item_digests(remote.values, suffixes),
                    has_record=record.exists, other_kinds=local.other_kinds + remote.other_kinds)
    if direction == PUSH:  # kinds another tool deploys (raw apps: wmill bundles them) are left to it
        left = [c for c in everything if getattr(KINDS.get(c.kind), "pushed_by", None)]
        plan.other_kinds.update(c.kind for c in left)
        everything = [c for c in everything if c not in left]
    source_items = plan.source_digests
    target_side, target_digests = (("remote", plan.remote_digests) if direction == PUSH
                                   else ("local", plan.local_digests))
    for change in everything:
        if change.name == DELETED and change.item not in source_items and not delete:
            plan.held_deletions.append(change)
        elif record.moved(change.item, target_side, target_digests.get(change.item)) and not force:
            plan.conflicts.append(change)
        else:
            plan.changes.append(change)
    return plan
