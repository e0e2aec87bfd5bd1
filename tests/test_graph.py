"""The WAC graph: tasks, references, calls, groups and control flow."""

from __future__ import annotations

from wac.parser import Block, Group, Source, WacCall, build_graph

CODE = '''import asyncio
from wmill import task, step, workflow, sleep, parallel, task_script, task_flow, wait_for_approval

extract = task_script("./extract.py", timeout=30)
pipeline = task_flow("f/etl/pipeline", tag="etl")


@task
async def fetch(url: str):
    return {"url": url}


@task(timeout=60, tag="etl", retry={"attempts": 3})
async def transform(data: dict):
    return data


@workflow
async def main(url: str, n: int = 3):
    run_id = await step("run_id", lambda: 1)
    data = await fetch(url)
    a, b = await asyncio.gather(fetch("a"), transform(data))
    results = await parallel(list(range(n)), lambda i: transform({"i": i}), concurrency=2)
    if n > 2:
        await sleep(5)
    else:
        await extract(url=url)
    for r in results:
        await pipeline(r=r)
    ok = await wait_for_approval(timeout=10, key="manager")
    return await task_script("f/x/y")(a=1)
'''


def shape(nodes):
    out = []
    for node in nodes:
        if isinstance(node, WacCall):
            out.append((node.kind, node.name, node.awaited))
        elif isinstance(node, Group):
            out.append((node.kind, node.concurrency, shape(node.calls)))
        else:
            assert isinstance(node, Block)
            out.append((node.kind, shape(node.children)))
    return out


def test_graph_shape():
    source = Source(CODE)
    graph = build_graph(source)
    assert source.position(graph.workflow).line == 19  # the `def` line, after decorators
    assert set(graph.tasks) == {"fetch", "transform"}
    assert graph.tasks["transform"].options.values == {"timeout": 60, "tag": "etl", "retry": {"attempts": 3}}
    assert {k: (r.kind, r.target, r.options.values) for k, r in graph.references.items()} == {
        "extract": ("script", "./extract.py", {"timeout": 30}),
        "pipeline": ("flow", "f/etl/pipeline", {"tag": "etl"}),
    }
    assert shape(graph.body) == [
        ("step", "run_id", True),
        ("task", "fetch", True),
        ("gather", None, [("task", "fetch", False), ("task", "transform", False)]),
        ("parallel", 2, [("task", "transform", False)]),
        ("if", [("sleep", "sleep", True), ("script", "./extract.py", True)]),
        ("for", [("flow", "f/etl/pipeline", True)]),
        ("approval", "manager", True),
        ("script", "f/x/y", True),
    ]


def test_positions_of_calls():
    source = Source(CODE)
    graph = build_graph(source)
    lines = [source.position(call.node).line for call in graph.calls()]
    assert lines == [20, 21, 22, 22, 23, 25, 27, 29, 30, 31]


def test_gather_imported_from_asyncio_and_parallel_by_name():
    code = ("from asyncio import gather\nfrom wmill import task, workflow, parallel\n\n@task\nasync def t(x):\n"
            "    return x\n\n@workflow\nasync def main():\n    await gather(t(1), t(2))\n"
            "    return await parallel([1, 2], t)\n")
    graph = build_graph(Source(code))
    assert shape(graph.body) == [
        ("gather", None, [("task", "t", False), ("task", "t", False)]),
        ("parallel", None, [("task", "t", False)]),
    ]


def test_no_workflow_means_empty_body():
    graph = build_graph(Source("def main():\n    return 1\n"))
    assert graph.workflow is None and graph.body == []
