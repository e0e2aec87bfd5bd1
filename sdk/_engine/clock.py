"""A run's virtual clock: after sleeps a test skipped, the run's code reads the time it would have.

`advance` runs in a forked child (one round or task, then the process ends), never in a host or a
scheduler. It moves the wall clock of the `time` and `datetime` modules, and of the names the
repo's own modules imported from them (`from datetime import datetime`), by the seconds the run's
sleeps skipped; monotonic clocks (timeouts, durations) are left alone. The engine's records keep
real time through `wall`, bound before any shift.
"""

from __future__ import annotations

import datetime as _datetime
import sys
import time as _time
from pathlib import Path
from typing import Any, Iterable

wall = _time.time  # the engine's timestamps: real time, whatever a job's clock reads

_REAL = {"datetime": _datetime.datetime, "date": _datetime.date, "time": _time.time, "time_ns": _time.time_ns,
         "localtime": _time.localtime, "gmtime": _time.gmtime, "ctime": _time.ctime}


class _SameClass(type):
    """`isinstance(real_datetime, shifted_class)` stays true: values made anywhere are the real type."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.__bases__[0])

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.__bases__[0])


def advance(seconds: float, roots: Iterable[Path], extra: Iterable[Any] = ()) -> None:
    """Read the wall clock `seconds` later from now on in this process.

    `roots`: the repo's import roots; modules loaded from there (and the `extra` modules) have
    the names they imported from `time` and `datetime` rebound to the shifted ones.
    """
    if not seconds:
        return
    shifted = _shifted(seconds)
    for name in ("time", "time_ns", "localtime", "gmtime", "ctime"):
        setattr(_time, name, shifted[name])
    _datetime.datetime = shifted["datetime"]
    _datetime.date = shifted["date"]
    by_identity = {id(_REAL[name]): shifted[name] for name in _REAL}
    for module in [*_repo_modules(roots), *extra]:
        namespace = vars(module)
        for name, value in list(namespace.items()):
            replacement = by_identity.get(id(value))  # the real objects live on: ids are theirs alone
            if replacement is not None:
                namespace[name] = replacement


def _shifted(seconds: float) -> dict[str, Any]:
    real_time, real_time_ns = _REAL["time"], _REAL["time_ns"]
    offset, offset_ns = _datetime.timedelta(seconds=seconds), int(seconds * 1_000_000_000)
    real_datetime, real_date = _REAL["datetime"], _REAL["date"]

    class datetime(real_datetime, metaclass=_SameClass):  # noqa: N801 (stands in for the real name)
        @classmethod
        def now(cls, tz=None):
            return real_datetime.now(tz) + offset

        @classmethod
        def utcnow(cls):
            return real_datetime.utcnow() + offset

        @classmethod
        def today(cls):
            return real_datetime.today() + offset

    class date(real_date, metaclass=_SameClass):  # noqa: N801
        @classmethod
        def today(cls):
            return (real_datetime.now() + offset).date()

    def at(function):
        return lambda secs=None: function(real_time() + seconds if secs is None else secs)

    return {"datetime": datetime, "date": date, "time": lambda: real_time() + seconds,
            "time_ns": lambda: real_time_ns() + offset_ns, "localtime": at(_REAL["localtime"]),
            "gmtime": at(_REAL["gmtime"]), "ctime": at(_REAL["ctime"])}


def _repo_modules(roots: Iterable[Path]) -> list[Any]:
    """Modules loaded from the repo (not from a virtual environment inside it: packages keep real names)."""
    folders = tuple({f"{folder}/" for root in roots for folder in (Path(root), Path(root).resolve())})
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(folders) and "-packages/" not in path:
            found.append(module)
    return found
