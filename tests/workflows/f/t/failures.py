import math

from wmill import step, task, workflow
from wmill.client import TaskError


class HttpError(Exception):
    def __init__(self, body_size=0):
        super().__init__("nope")
        self.code = 429
        if body_size:
            self.body = "y" * body_size


@task
async def boom():
    raise HttpError()


def deep(n):  # alternating frames: Python does not fold them, so the stack passes 8 KiB
    if n == 0:
        raise ValueError("deep")
    return deeper(n - 1)


def deeper(n):
    return deep(n)


def error_of(exc):
    return (exc.result or {}).get("error", {})


@workflow
async def main():
    out = {}
    for name, call in (("task", boom), ("step", lambda: step("s", lambda: (_ for _ in ()).throw(HttpError())))):
        try:
            await call()
        except TaskError as exc:
            error = error_of(exc)
            out[name] = {"name": error.get("name"), "message": error.get("message"), "extra": error.get("extra"),
                         "child": bool(exc.child_job_id), "key": exc.step_key}
    try:
        await step("deep", lambda: deep(120))
    except TaskError as exc:
        stack = error_of(exc).get("stack") or ""
        out["stack"] = {"bytes": len(stack.encode()), "truncated": stack.endswith("\n... (truncated)")}
    try:
        await step("huge", lambda: (_ for _ in ()).throw(HttpError(200_000)))
    except TaskError as exc:
        error = error_of(exc)
        out["huge"] = {"has_extra": "extra" in error, "omitted": error.get("extra_omitted")}
    out["nan"] = await step("nan", lambda: [math.nan, math.inf, 1.5])
    return out
