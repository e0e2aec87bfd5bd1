"""Where a job reads the workspace's resources and variables: `wmill.get_resource`/`get_variable` (through
wac's `wmill`), `$res:`/`$var:` arguments (replaced by what they name, as a worker does) and flow expressions.

A JSON file when `WAC_WORKSPACE_FILE` names one (the test harness's `resources=`/`variables=`, a local
preview's repo files; `WM_MOCKED_API_FILE` names it too: the real `wmill` package's mock), else the
workspace's API when the job has one (`wac server`: BASE_INTERNAL_URL, WM_TOKEN, WM_WORKSPACE; the routes
Windmill's SDKs call).

The file: `{"resources": {path: value}, "variables": {path: text}, "secrets": [path], "source": "repo"}`
(`secrets`: variables it knows of but cannot serve; `source`: "repo" or "harness", for the wording of errors).
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any, Callable

from ._real_wmill import load as load_real_wmill

ENV = "WAC_WORKSPACE_FILE"
# The real `wmill` package's own mock: a file of `{"variables": ..., "resources": ...}` it reads first (ours is one)
MOCKED_API_ENV = "WM_MOCKED_API_FILE"


def environment(path: str) -> dict[str, str]:
    """What a job's environment names the file with: for wac's `wmill` and for the real package alike."""
    return {ENV: path, MOCKED_API_ENV: path}


def served(name: str) -> Callable[..., Any] | None:
    """The function serving `wmill.<name>`, or None (no file nor API, or a name not served here). What the
    file lacks is asked of the real `wmill` package when the job's environment has one."""
    own = {"get_resource": get_resource, "get_variable": get_variable}.get(name)
    if own is None or not (os.environ.get(ENV) or _api_base()):
        return None

    @functools.wraps(own)
    def serve(*args: Any, **kwargs: Any) -> Any:
        try:
            return own(*args, **kwargs)
        except LookupError:
            real = getattr(load_real_wmill(), name, None) if os.environ.get(ENV) else None
            if real is None:
                raise
            return real(*args, **kwargs)

    return serve


def _api_base() -> str | None:
    base = os.environ.get("BASE_INTERNAL_URL") or os.environ.get("WM_BASE_URL")
    return base.rstrip("/") if base and os.environ.get("WM_TOKEN") and os.environ.get("WM_WORKSPACE") else None


def _api(route: str, path: str) -> Any:
    """The workspace API's answer to GET `route`/`path` (LookupError with its message when it refuses)."""
    import urllib.error  # only jobs that ask: an import a run without workspace reads never pays
    import urllib.parse
    import urllib.request

    url = f"{_api_base()}/api/w/{os.environ['WM_WORKSPACE']}/{route}/{urllib.parse.quote(path)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {os.environ['WM_TOKEN']}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise LookupError(exc.read().decode("utf-8", "replace") or f"{route}/{path}: HTTP {exc.code}") from None


def _data() -> dict[str, Any]:
    return _load(os.environ[ENV])


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    """The file's content (read once per process: a run's file never changes, a new content is a new file)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def lookup(kind: str, path: str) -> Any:
    """A resource's or variable's value (`kind`: "resource" or "variable"), None when there is none."""
    if os.environ.get(ENV):
        return (_data().get(f"{kind}s") or {}).get(path)
    if not _api_base():
        return None
    try:
        return get_resource(path) if kind == "resource" else get_variable(path)
    except LookupError:
        return None


def get_resource(path: str | None = None, none_if_undefined: bool = False) -> Any:
    """The resource at `path`, as `wmill.get_resource` returns it."""
    if not os.environ.get(ENV):
        try:
            return _api("resources/get_value_interpolated", path or "")
        except LookupError:
            if none_if_undefined:
                return None
            raise
    data = _data()
    resources = data.get("resources") or {}
    if path in resources:
        return resources[path]
    if none_if_undefined:
        return None
    raise LookupError(_missing(data, "resource", path))


def get_variable(path: str) -> str:
    """The variable at `path`, as `wmill.get_variable` returns it."""
    if not os.environ.get(ENV):
        return _api("variables/get_value", path)
    data = _data()
    variables = data.get("variables") or {}
    if path not in variables:
        raise LookupError(_missing(data, "variable", path))
    return variables[path]


def _missing(data: dict[str, Any], kind: str, path: str | None) -> str:
    if kind == "variable" and path in (data.get("secrets") or []):
        return (f"variable {path!r} is a secret: the repo holds it encrypted with the workspace's key, so a local run "
                "cannot read it (run on `wac server` after a push, or on the workspace)")
    if data.get("source") == "repo":
        return f"{kind} {path!r} is not in this repo (no {path}.{kind}.yaml)"
    given = sorted(data.get(f"{kind}s") or {})
    return f"{kind} {path!r} is not given to this run: add it to `{kind}s=` (it has: {', '.join(given) or 'none'})"


def resolve_job_arguments(args: dict[str, Any]) -> dict[str, Any]:
    """A job's arguments as its code gets them: `$res:`/`$var:` values read from the file or the API
    (LookupError, worded as above, for one it lacks); unchanged when the job has neither."""
    if not any(_reference(v) for v in args.values()) or not (os.environ.get(ENV) or _api_base()):
        return args
    lookups = {"$res:": get_resource, "$var:": get_variable}
    return {name: lookups[given[:5]](given[5:]) if _reference(given) else given for name, given in args.items()}


def _reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("$res:", "$var:"))
