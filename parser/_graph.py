"""The WAC graph of a script: workflow entry, tasks, and what the body calls.

Names are matched literally, as Windmill's WAC parser does: `task`, `step`,
`sleep`, `wait_for_approval`, `task_script`, `task_flow`, `parallel`,
`workflow`, and `asyncio.gather` (or `gather` imported from asyncio).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import libcst as cst

from ._defaults import NO_DEFAULT, default_value
from ._source import Source
from ._syntax import dotted_name, string_value
from ._walk import children

TASK_OPTIONS = (
    "timeout", "tag", "cache_ttl", "priority", "concurrency_limit", "concurrency_key",
    "concurrency_time_window_s", "retry",
)
PRIMITIVE_KINDS = {"step": "step", "sleep": "sleep", "wait_for_approval": "approval"}
REFERENCE_KINDS = {"task_script": "script", "task_flow": "flow"}


@dataclass
class Options:
    """Keyword options as written: literal values, or None with the source kept."""

    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, cst.Arg] = field(default_factory=dict)


@dataclass
class TaskDef:
    """A function decorated with `@task` / `@task(...)`."""

    name: str
    node: cst.FunctionDef
    decorator: cst.Decorator
    is_async: bool
    top_level: bool
    options: Options


@dataclass
class ScriptRef:
    """`name = task_script("path", ...)` or `task_flow(...)` at top level."""

    name: str
    kind: str  # "script" | "flow"
    target: str | None
    call: cst.Call
    options: Options


@dataclass
class WacCall:
    """One durable call in the workflow body."""

    kind: str  # task | script | flow | step | sleep | approval
    name: str | None  # task function, step name, approval key, script target
    node: cst.Call
    awaited: bool


@dataclass
class Group:
    """Calls dispatched together: `asyncio.gather(...)` or `parallel(...)`."""

    kind: str  # gather | parallel
    node: cst.Call
    calls: list[WacCall]
    concurrency: Any = None


@dataclass
class Block:
    """A control-flow statement that holds durable calls (if/for/while/try/with)."""

    kind: str
    node: cst.CSTNode
    children: list["Node"]


Node = Union[WacCall, Group, Block]


@dataclass
class WacGraph:
    """Everything WAC-shaped in one script."""

    workflow: cst.FunctionDef | None = None
    tasks: dict[str, TaskDef] = field(default_factory=dict)
    references: dict[str, ScriptRef] = field(default_factory=dict)
    body: list[Node] = field(default_factory=list)

    def calls(self) -> list[WacCall]:
        """Every durable call in the body, in source order, flattened."""
        out: list[WacCall] = []

        def visit(nodes: list[Node]) -> None:
            for node in nodes:
                if isinstance(node, WacCall):
                    out.append(node)
                elif isinstance(node, Group):
                    out.extend(node.calls)
                else:
                    visit(node.children)

        visit(self.body)
        return out


def build_graph(source: Source) -> WacGraph:
    """Collect the workflow, tasks and references, then walk the workflow body."""
    graph = WacGraph()
    for stmt in source.module.body:
        if isinstance(stmt, cst.FunctionDef):
            _collect_function(stmt, graph, top_level=True)
        elif isinstance(stmt, cst.SimpleStatementLine):
            _collect_reference(stmt, graph)
    for nested in _nested_functions(source):
        _collect_function(nested, graph, top_level=False)
    if graph.workflow is not None:
        walker = _BodyWalker(graph, source)
        graph.body = walker.block(graph.workflow.body)
    return graph


def decorator_name(decorator: cst.Decorator) -> str | None:
    target = decorator.decorator
    return dotted_name(target.func if isinstance(target, cst.Call) else target)


def read_options(args: list[cst.Arg] | tuple[cst.Arg, ...]) -> Options:
    options = Options()
    for arg in args:
        if arg.keyword is None:
            continue
        key = arg.keyword.value
        value = default_value(arg.value, {})
        options.values[key] = None if value is NO_DEFAULT else value
        options.nodes[key] = arg
    return options


def _collect_function(func: cst.FunctionDef, graph: WacGraph, *, top_level: bool) -> None:
    for decorator in func.decorators:
        name = decorator_name(decorator)
        if name == "workflow" and top_level and graph.workflow is None:
            graph.workflow = func
        elif name == "task" and func.name.value not in graph.tasks:
            target = decorator.decorator
            graph.tasks[func.name.value] = TaskDef(
                name=func.name.value,
                node=func,
                decorator=decorator,
                is_async=func.asynchronous is not None,
                top_level=top_level,
                options=read_options(target.args if isinstance(target, cst.Call) else ()),
            )


def _collect_reference(stmt: cst.SimpleStatementLine, graph: WacGraph) -> None:
    for small in stmt.body:
        if not (isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)):
            continue
        kind = REFERENCE_KINDS.get(dotted_name(small.value.func) or "")
        target = small.targets[0].target
        if kind and len(small.targets) == 1 and isinstance(target, cst.Name):
            args = small.value.args
            path = string_value(args[0].value) if args and args[0].keyword is None else None
            graph.references[target.value] = ScriptRef(
                target.value, kind, path, small.value, read_options(args[1:])
            )


def _nested_functions(source: Source) -> list[cst.FunctionDef]:
    """Decorated functions that are not top-level statements of the module."""
    top_level = {id(stmt) for stmt in source.module.body}
    return [
        node for node in source.all_nodes
        if isinstance(node, cst.FunctionDef) and node.decorators and id(node) not in top_level
    ]


_BLOCK_KINDS: dict[type, str] = {
    cst.If: "if", cst.For: "for", cst.While: "while", cst.Try: "try", cst.With: "with",
}


class _BodyWalker:
    """Turns the workflow body into nodes, keeping control flow that holds calls."""

    def __init__(self, graph: WacGraph, source: Source) -> None:
        self._graph = graph
        self._gather_names = {
            local for local, full in source.imported_names.items() if full == "asyncio.gather"
        } | {"asyncio.gather"}

    def block(self, body: cst.BaseSuite) -> list[Node]:
        nodes: list[Node] = []
        for stmt in getattr(body, "body", ()):
            nodes.extend(self.statement(stmt))
        return nodes

    def statement(self, stmt: cst.CSTNode) -> list[Node]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return [n for small in stmt.body for n in self.expression(small)]
        if isinstance(stmt, cst.SimpleStatementSuite):
            return [n for small in stmt.body for n in self.expression(small)]
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return []
        kind = _BLOCK_KINDS.get(type(stmt))
        children: list[Node] = []
        for part in _statement_parts(stmt):
            if isinstance(part, cst.BaseSuite):
                children.extend(self.block(part))
            elif isinstance(part, (cst.If, cst.Else, cst.ExceptHandler, cst.Finally, cst.ExceptStarHandler)):
                children.extend(self.statement(part))
            else:
                children.extend(self.expression(part))
        if kind is None or not children:
            return children
        return [Block(kind, stmt, children)]

    def expression(self, node: cst.CSTNode) -> list[Node]:
        nodes: list[Node] = []
        self._scan(node, nodes, None, set())
        return nodes

    def _scan(self, node: cst.CSTNode, out: list[Node], group: Group | None, awaited: set[int]) -> None:
        """Find durable calls and groups in one statement, in source order."""
        if isinstance(node, cst.Await):
            awaited.add(id(node.expression))
        elif isinstance(node, cst.Call):
            kind = self.group_kind(node) if group is None else None
            if kind is not None:
                group = Group(kind, node, [], _concurrency(node) if kind == "parallel" else None)
                out.append(group)
                if kind == "parallel":
                    self._parallel_target(node, group)
            else:
                call = self.classify(node, id(node) in awaited)
                if call is not None:
                    (group.calls if group is not None else out).append(call)
                    if call.kind == "step":
                        return  # a step's function runs inline: not part of the graph
        for child in children(node):
            self._scan(child, out, group, awaited)

    def _parallel_target(self, node: cst.Call, group: Group) -> None:
        """`parallel(items, some_task)`: the task is passed by name, not called."""
        if len(node.args) >= 2 and isinstance(node.args[1].value, cst.Name):
            name = node.args[1].value.value
            if name in self._graph.tasks:
                group.calls.append(WacCall("task", name, node, False))

    def classify(self, call: cst.Call, awaited: bool) -> WacCall | None:
        func = call.func
        name = dotted_name(func)
        if isinstance(func, cst.Call) and dotted_name(func.func) in REFERENCE_KINDS:
            inner = func.args[0].value if func.args else None
            target = string_value(inner) if inner is not None else None
            return WacCall(REFERENCE_KINDS[dotted_name(func.func) or ""], target, call, awaited)
        if name in self._graph.tasks:
            return WacCall("task", name, call, awaited)
        if name in self._graph.references:
            ref = self._graph.references[name]
            return WacCall(ref.kind, ref.target, call, awaited)
        if name in PRIMITIVE_KINDS:
            return WacCall(PRIMITIVE_KINDS[name], _primitive_name(name, call), call, awaited)
        return None

    def group_kind(self, call: cst.Call) -> str | None:
        name = dotted_name(call.func)
        if name in self._gather_names:
            return "gather"
        return "parallel" if name == "parallel" else None


def _primitive_name(name: str, call: cst.Call) -> str | None:
    if name == "step":
        return string_value(call.args[0].value) if call.args else None
    if name == "wait_for_approval":
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "key":
                return string_value(arg.value)
        return "approval"
    return "sleep"


def _statement_parts(stmt: cst.CSTNode) -> list[cst.CSTNode]:
    """Children of a compound statement in source order (tests, bodies, handlers)."""
    return [child for child in stmt.children if not isinstance(child, (cst.Comment, cst.EmptyLine))]


def _concurrency(call: cst.Call) -> Any:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "concurrency":
            value = default_value(arg.value, {})
            return None if value is NO_DEFAULT else value
    return None
