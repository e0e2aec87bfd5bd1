"""The dependency tree generate-metadata plans with, as wmill's DoubleLinkedDependencyTree.

Nodes keep the order they were made in (an imported path becomes a placeholder node when its
first importer is added); staleness spreads breadth first from the directly stale nodes to
their importers, each reason naming the node it came from.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

CONTENT_CHANGED = "content changed"


@dataclass
class Node:
    path: str
    kind: str = "placeholder"  # script, inline_script, flow, app, or placeholder
    item: Any = None  # the ScriptItem, FlowItem or AppItem it stands for (None: inline scripts, placeholders)
    imports: list[str] = field(default_factory=list)
    importers: dict[str, None] = field(default_factory=dict)
    directly_stale: bool = False
    reason: str | None = None


class DependencyTree:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}

    def add(self, path: str, kind: str, imports: list[str], directly_stale: bool, item: Any = None) -> None:
        node = self.nodes.setdefault(path, Node(path))
        node.kind, node.item, node.imports, node.directly_stale = kind, item, list(imports), directly_stale
        for target in imports:
            self.nodes.setdefault(target, Node(target)).importers.setdefault(path)

    def propagate(self) -> None:
        """Give every stale node its reason: its own change, or the import it was reached from."""
        for node in self.nodes.values():
            if node.directly_stale:
                node.reason = CONTENT_CHANGED
        queue, visited = deque(p for p, n in self.nodes.items() if n.directly_stale), set()
        while queue:
            current = queue.popleft()
            if current in visited:
                continue
            visited.add(current)
            for importer in self.nodes[current].importers:
                node = self.nodes[importer]
                if node.reason is None:
                    node.reason = f"depends on {current}"
                    queue.append(importer)

    def reaches(self, start: str, wanted: Callable[[str], bool]) -> bool:
        """Whether a transitive import of `start` (not `start` itself) satisfies `wanted`."""
        queue, seen = deque([start]), set()
        while queue:
            current = queue.popleft()
            if current in seen or current not in self.nodes:
                continue
            seen.add(current)
            for target in self.nodes[current].imports:
                if wanted(target):
                    return True
                queue.append(target)
        return False

    def stale_items(self) -> list[tuple[Any, str]]:
        """(item, reason) of every stale script, flow and app, in node order (one per flow/app)."""
        return [(n.item, n.reason) for n in self.nodes.values()
                if n.reason is not None and n.item is not None and n.kind in ("script", "flow", "app")]
