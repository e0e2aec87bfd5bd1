"""Traversals shared by several rules."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from .._graph import WacGraph
from .._syntax import dotted_name


def workflow_body_nodes(graph: WacGraph) -> Iterator[cst.CSTNode]:
    """Every node the workflow body runs on each replay.

    Skips what runs durably or elsewhere: the function passed to `step()`,
    nested function definitions (tasks re-run as separate jobs) and lambdas
    handed to `parallel()` (their task calls are dispatched, not run).
    """
    if graph.workflow is None:
        return
    collector = _ReplayedNodes()
    graph.workflow.body.visit(collector)
    yield from collector.nodes


class _ReplayedNodes(cst.CSTVisitor):
    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(node, cst.Call) and dotted_name(node.func) == "step":
            self.nodes.append(node)
            if node.args:
                node.args[0].visit(self)
            return False
        self.nodes.append(node)
        return True
