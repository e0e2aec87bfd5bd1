"""Warming a spare child while it waits for its job.

A forked child's first pass over the code and objects it shares with its host copies every page it writes to
(reference counts, bytecode specialising itself): a round's replay copies ~150-300 pages, 1.5-3 ms of its time,
mostly the same pages in every child. So a spare replays once before its job arrives, its output discarded:
the module's own workflow against the checkpoint the host holds, when the module declares that replaying it
has no effect (`PURE_REPLAY`: a flow's generated module, whose workflow is wac's flow driver), else a workflow
of the SDK's own that calls tasks as a user's does. Those pages are then copied while the spare is idle, off
its job's clock. Nothing it does is recorded or kept: a user's own code never runs here.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from types import ModuleType
from typing import Any

from .. import _context as ctxmod
from .._primitives import task
from .loading import entry_point
from .replay import ReplayContext

CALLS = 40


@task
async def warm_up_call(i: int) -> int:
    return i


async def _calls(n: int) -> int:
    total = 0
    for i in range(n):
        total += await warm_up_call(i)
    return total


_ANSWERS = {("warm_up_call" if i == 0 else f"warm_up_call_{i + 1}"): i for i in range(CALLS)}


def warm(loop: asyncio.AbstractEventLoop, module: ModuleType, run: tuple[dict, dict, str] | None) -> None:
    """Replay once, quietly (see above); `run`: the completed steps, call order and arguments (JSON) of the run
    the spare most likely serves. Whatever goes wrong is ignored: the job itself does it all again."""
    quiet = io.StringIO()
    with contextlib.suppress(Exception), contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        if getattr(module, "PURE_REPLAY", False) and run is not None:
            completed, order, args = run
            ctx: ctxmod.WorkflowContext = ReplayContext(dict(completed), dict(order), module.__file__)
            loop.run_until_complete(ctxmod.run_round(entry_point(module), ctx, json.loads(args)))
        else:
            ctx = ctxmod.WorkflowContext(dict(_ANSWERS))
            loop.run_until_complete(ctxmod.run_round(_calls, ctx, {"n": CALLS}))
