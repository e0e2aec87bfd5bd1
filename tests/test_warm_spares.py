"""A spare child replays once while it waits for its job (sdk/_engine/warm.py): a user's workflow never runs
there, a module that declares its replay pure replays its run's recorded calls and stops, and nothing shows."""

from __future__ import annotations

import asyncio
import json
import types

import pytest

from wac.sdk._engine.warm import warm

WORKFLOW = '''
from wac.sdk import task, workflow

CALLS = []


@task
async def add(i: int):
    raise AssertionError("a task body never runs in a warm-up")


@workflow
async def main(n: int):
    print("the body printed")
    CALLS.append(n)
    total = 0
    for i in range(n):
        total += await add(i)
        CALLS.append(i)
    return total
'''


def module_of(tmp_path, pure: bool) -> types.ModuleType:
    path = tmp_path / "flowish.py"
    path.write_text(WORKFLOW + ("PURE_REPLAY = True\n" if pure else ""))
    module = types.ModuleType("flowish")
    module.__file__ = str(path)
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


RUN = ({"add": 10, "add_2": 20}, {0: "add", 1: "add_2"}, json.dumps({"n": 5}))


def test_a_users_workflow_never_runs_in_a_warm_up(tmp_path, loop, capsys):
    module = module_of(tmp_path, pure=False)
    warm(loop, module, RUN)
    assert module.CALLS == []
    assert capsys.readouterr() == ("", "")


def test_a_pure_module_replays_its_runs_recorded_calls_then_stops_quietly(tmp_path, loop, capsys):
    module = module_of(tmp_path, pure=True)
    completed, order, args = json.loads(json.dumps(RUN[0])), dict(RUN[1]), RUN[2]
    warm(loop, module, (completed, order, args))
    assert module.CALLS == [5, 0, 1]  # the two recorded calls answered, the third one ended the replay
    assert capsys.readouterr() == ("", "")
    assert completed == RUN[0] and order == RUN[1]
    warm(loop, module, None)  # no run known yet: only the SDK's own workflow
    assert module.CALLS == [5, 0, 1]
