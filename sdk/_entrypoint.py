"""Which function of a script a job calls, and with what, as Windmill's Python wrapper decides.

A job's arguments may name another function than `main` (`_ENTRYPOINT_OVERRIDE`: a flow's preprocessor
step calls `preprocessor`); that function gets its own parameters from the arguments (`**kwargs`: all of
them; a parameter not given is None, or left to its default), so the flow input and `wm_trigger` a
preprocessor is sent never fail it for a name it does not take.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

ENTRYPOINT_OVERRIDE = "_ENTRYPOINT_OVERRIDE"


def entry_call(find: Callable[[str], Any], args: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    """(the function to call, its keyword arguments); `find(name)` looks a function up in the script."""
    name = args.get(ENTRYPOINT_OVERRIDE)
    if not name:
        return find("main"), args
    function = find(name)
    if not callable(function):
        raise ValueError(f"{name} function is missing")
    given = {key: value for key, value in args.items() if key != ENTRYPOINT_OVERRIDE}
    return function, spread(function, given)


def spread(function: Callable[..., Any], given: dict[str, Any]) -> dict[str, Any]:
    """The arguments Windmill's wrapper passes `function` out of `given`."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return dict(given)
    chosen = {}
    for parameter in parameters:
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.POSITIONAL_ONLY):
            continue
        value = given.get(parameter.name)
        if value is not None or parameter.default is inspect.Parameter.empty:
            chosen[parameter.name] = value
    return chosen
