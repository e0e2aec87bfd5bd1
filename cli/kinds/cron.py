"""Schedule cron expressions, checked as Windmill's scheduler reads them: six fields, seconds first
(`cron_version: v2`, croner), or six or seven (with years) for `v1` and schedules that name no
version; numbers, names, `*`, `?`, ranges, steps and lists."""

from __future__ import annotations

import re

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, lowest, highest, names) per field, for 6 fields; 5 drop the seconds, 7 add years.
_FIELDS = (("seconds", 0, 59, ()), ("minutes", 0, 59, ()), ("hours", 0, 23, ()), ("day of month", 1, 31, ()),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))
_YEARS = ("year", 1970, 2099, ())
_ATOM = re.compile(r"^(\*|\?|L|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?[LW]?(?:#[1-5])?)(?:/([0-9]+))?$")


def cron_problem(expression: object, version: object = None) -> str | None:
    """What is wrong with a cron expression under `cron_version` (None when it is fine)."""
    if not isinstance(expression, str) or not expression.strip():
        return "it is empty"
    parts = expression.split()
    counts = (6, 7) if version in (None, "v1") else (6,)
    if len(parts) not in counts:
        return (f"it has {len(parts)} fields; Windmill takes "
                + ("six (seconds first, e.g. '0 0 12 * * *')" if counts == (6,) else "six or seven (seconds first)"))
    fields = _FIELDS if len(parts) == 6 else (*_FIELDS, _YEARS)
    for part, spec in zip(parts, fields):
        problem = _field_problem(part, *spec)
        if problem:
            return problem
    return None


def _field_problem(part: str, name: str, lowest: int, highest: int, names: tuple[str, ...]) -> str | None:
    for entry in part.split(","):
        match = _ATOM.match(entry)
        if not match:
            return f"{name}: {entry!r} is not a value, range or step"
        value, step = match.groups()
        if step is not None and int(step) == 0:
            return f"{name}: a step of 0"
        if value in ("*", "?", "L"):
            continue
        bounds = value.rstrip("LW").split("#")[0].split("-")
        numbers = []
        for bound in bounds:
            number = _number(bound, names)
            if number is None or not lowest <= number <= highest:
                return f"{name}: {bound!r} is not between {lowest} and {highest}"
            numbers.append(number)
    return None


def _number(text: str, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if names is _MONTHS else 0)
    return None
