"""Windmill's HTTP API, the calls wac makes (see shared/reference/wmill-api-contract.md).

One connection pool per command; timeouts on every call; connection errors
are retried with backoff for every call (nothing reached the server), and
5xx or broken answers only for calls that are safe to repeat.
"""

from __future__ import annotations

import json
import os
import sys
import time
import types
from typing import Any
from urllib.parse import quote, urlsplit

# httpx imports its own command-line tool (click, rich, pygments: a tenth of a second) when it is
# imported, unless that module is already there; wac never runs it.
sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
import httpx  # noqa: E402

from ..errors import Failed
from .target import Target

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
BACKOFF = (0.2, 0.5, 1.0, 2.0)
# The archive query's switches, in wmill's order, from the sync config's attributes.
_TARBALL_SWITCHES = (("skip_variables", "skip_variables"), ("skip_resources", "skip_resources"),
                     ("skip_secrets", "skip_secrets"), ("include_schedules", "include_schedules"),
                     ("include_triggers", "include_triggers"), ("include_users", "include_users"),
                     ("include_groups", "include_groups"), ("include_settings", "include_settings"),
                     ("include_key", "include_key"))


def tarball_query(config) -> dict[str, str]:
    """`GET workspaces/tarball`'s query as `wmill sync` sends it for this config."""
    flag = lambda value: "true" if value else "false"  # noqa: E731
    query = {"archive_type": "zip", "plain_secret": "false"}
    query.update({name: flag(getattr(config, attribute)) for name, attribute in _TARBALL_SWITCHES})
    query.update({"include_workspace_dependencies": flag(not config.skip_workspace_dependencies),
                  "skip_datatable_migrations": "false", "default_ts": config.default_ts,
                  "skip_resource_types": flag(config.skip_resource_types), "settings_version": "v2",
                  "preserve_extra_perms": "true", "sync_behavior_version": f"v{config.sync_behavior}"})
    return query

_STRIPPED_PREFIXES = ("Not authorized: ", "Permission denied: ", "Not found: ", "Bad request: ", "Internal: ")


class RemoteError(Failed):
    """An answer (or no answer) from the workspace that stops the operation."""

    code = "remote_error"

    def __init__(self, message: str, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


class WindmillClient:
    """The calls to one workspace, over one connection pool."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.ws = f"/w/{quote(target.workspace)}"
        # No TLS context (100 ms of loading CA certificates) for a plain-HTTP instance.
        secure = target.remote.startswith("https:")
        self._http = httpx.Client(base_url=target.api, timeout=TIMEOUT, headers=_headers(), verify=secure)
        self._auth = {"Authorization": f"Bearer {target.token}"}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "WindmillClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the workspace and the user

    def whoami(self) -> dict[str, Any]:
        """The login check every `wmill` command starts with (the workspace's whoami after a 401)."""
        try:
            return self.call("GET", "/users/whoami").json()
        except RemoteError as exc:
            if exc.status != 401:
                raise
            return self.call("GET", f"{self.ws}/users/whoami").json()

    def workspace_exists(self) -> bool:
        return self.call("POST", "/workspaces/exists", json={"id": self.target.workspace}, safe=True).json() is True

    def workspace_ids(self) -> list[str]:
        return [w.get("id", "") for w in self.call("GET", "/workspaces/list").json()]

    def version(self) -> str:
        """The instance version, always read from the origin (a path prefix dropped), without auth."""
        parts = urlsplit(self.target.remote)
        answer = self.call("GET", f"{parts.scheme}://{parts.netloc}/api/version", auth=False)
        return answer.text.strip()

    def tarball(self, config) -> tuple[bytes, str]:
        """The workspace archive and its kind (`zip`, or `tar` from servers without zip support)."""
        query = tarball_query(config)
        try:
            return self.call("GET", f"{self.ws}/workspaces/tarball", params=query).content, "zip"
        except RemoteError as exc:
            if exc.status != 400 or "Invalid Archive Type" not in exc.message:
                raise
        query = {**query, "archive_type": "tar"}
        return self.call("GET", f"{self.ws}/workspaces/tarball", params=query).content, "tar"

    # -- scripts

    def get_script(self, path: str) -> dict[str, Any] | None:
        return self._maybe(f"{self.ws}/scripts/get/p/{path}")

    def create_script(self, body: dict[str, Any]) -> str:
        answer = self.call("POST", f"{self.ws}/scripts/create", params={"skip_if_noop": "true"}, json=body,
                           expect=201)
        return answer.text.strip()

    def archive_script(self, path: str) -> None:
        self.call("POST", f"{self.ws}/scripts/archive/p/{path}", safe=True)

    # -- items of every other kind (routes from `wac.cli.kinds`)

    def get_item(self, route, item_id: str) -> dict[str, Any] | None:
        """The workspace's copy of an item (None when it has none)."""
        return self._maybe(f"{self.ws}/{route.base}/{route.get}/{item_id}", params=route.get_query or None)

    def create_item(self, route, body: dict[str, Any]) -> None:
        self.call("POST", f"{self.ws}/{route.base}/create", params=route.write_query or None, json=body)

    def update_item(self, route, item_id: str, body: dict[str, Any]) -> None:
        self.call("POST", f"{self.ws}/{route.base}/update/{item_id}", params=route.write_query or None, json=body,
                  safe=True)

    def save_raw_app(self, app: dict[str, Any], js: str, css: str, existing: str | None = None) -> None:
        """`apps/create_raw` (or `apps/update_raw/<path>` for an `existing` one): multipart `app` JSON, `js`, `css`."""
        parts = {"app": (None, json_text(app)), "js": (None, js), "css": (None, css)}
        route = f"update_raw/{existing}" if existing else "create_raw"
        self.call("POST", f"{self.ws}/apps/{route}", files=parts, safe=existing is not None)

    def delete_item(self, route, item_id: str) -> None:
        self.call("DELETE", f"{self.ws}/{route.base}/delete/{item_id}", safe=True)

    def fetch_json(self, path: str) -> Any:
        """A GET's JSON answer (a path under the API root); None when the server says 404."""
        return self._maybe(path)

    def grant(self, kind: str, path: str, owner: str, write: bool) -> None:
        """`acls/add`: give a user (`u/x`) or group (`g/x`) read or write access to one item."""
        self.call("POST", f"{self.ws}/acls/add/{kind}/{path}", json={"owner": owner, "write": write}, safe=True)

    def revoke(self, kind: str, path: str, owner: str) -> None:
        self.call("POST", f"{self.ws}/acls/remove/{kind}/{path}", json={"owner": owner}, safe=True)

    def resource_type_names(self) -> set[str] | None:
        """The resource types the workspace knows (its own and the hub's); None when it cannot tell."""
        try:
            answer = self.call("GET", f"{self.ws}/resources/type/list").json()
        except (RemoteError, ValueError):
            return None
        return {entry.get("name") for entry in answer if isinstance(entry, dict)} if isinstance(answer, list) else None

    def file_resource_types(self) -> dict[str, Any]:
        """Resource types whose resources keep their content in a file: type -> extension (or details)."""
        try:
            answer = self.call("GET", f"{self.ws}/resources/file_resource_type_to_file_ext_map").json()
        except (RemoteError, ValueError):
            return {}
        return answer if isinstance(answer, dict) else {}

    def failed_dependency_jobs(self, since_iso: str) -> list[dict[str, Any]]:
        """Lock jobs the server queued (or failed) since a push began; [] when it cannot tell."""
        jobs: list[dict[str, Any]] = []
        for kind, extra in (("queue", {}), ("completed", {"success": "false"})):
            try:
                answer = self.call("GET", f"{self.ws}/jobs/{kind}/list",
                                   params={"job_kinds": "dependencies", "created_after": since_iso, **extra})
                jobs += [dict(job, queued=kind == "queue") for job in answer.json()]
            except (RemoteError, ValueError):
                continue
        return jobs

    # -- jobs

    def run_script(self, path: str, args: dict[str, Any], tag: str | None) -> str:
        params = {"tag": tag} if tag else None
        return self.call("POST", f"{self.ws}/jobs/run/p/{path}", params=params, json=args, expect=201).text.strip()

    def completed_job(self, job_id: str) -> dict[str, Any] | None:
        return self._maybe(f"{self.ws}/jobs_u/completed/get/{job_id}")

    def job_update(self, job_id: str, running: bool, log_offset: int) -> dict[str, Any]:
        params = {"running": "true" if running else "false", "log_offset": str(log_offset)}
        return self.call("GET", f"{self.ws}/jobs_u/getupdate/{job_id}", params=params).json()

    def child_jobs(self, job_id: str) -> list[dict[str, Any]]:
        """The jobs a job started (a workflow's tasks); [] when the server cannot tell."""
        try:
            answer = self.call("GET", f"{self.ws}/jobs/list", params={"parent_job": job_id, "per_page": "100"}).json()
        except (RemoteError, ValueError):
            return []
        return answer if isinstance(answer, list) else []

    def cancel_job(self, job_id: str, reason: str) -> None:
        self.call("POST", f"{self.ws}/jobs_u/queue/cancel/{job_id}", json={"reason": reason}, safe=True)

    # -- transport

    def _maybe(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any] | None:
        try:
            return self.call("GET", path, params=params).json()
        except RemoteError as exc:
            if exc.status == 404:
                return None
            raise

    def call(self, method: str, path: str, *, params: dict[str, str] | None = None, json: Any = None,
             expect: int | None = None, safe: bool | None = None, auth: bool = True,
             files: dict[str, Any] | None = None) -> httpx.Response:
        """One request; `safe` (default: GET) allows repeating it after a 5xx or a broken answer."""
        safe = method == "GET" if safe is None else safe
        headers = self._auth if auth else None
        for pause in (*BACKOFF, None):
            try:
                answer = self._http.request(method, path, params=params, json=json, headers=headers, files=files)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # nothing reached the server
                error, retry = exc, True
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                error, retry = exc, safe
            else:
                if answer.status_code >= 500 and safe and pause is not None:
                    time.sleep(pause)
                    continue
                if (expect is not None and answer.status_code != expect) or answer.status_code >= 300:
                    raise self._refused(method, path, answer)
                return answer
            if not retry or pause is None:
                raise self._unreachable(error) from None
            time.sleep(pause)
        raise AssertionError("the last attempt returns or raises")

    def _unreachable(self, exc: Exception) -> RemoteError:
        reason = "timed out" if isinstance(exc, httpx.TimeoutException) else str(exc) or type(exc).__name__
        return RemoteError(f"cannot reach {self.target.remote}: {reason}",
                           "is the instance up? check the URL of the profile (`wac workspace list`)")

    def _refused(self, method: str, path: str, answer: httpx.Response) -> RemoteError:
        status, body = answer.status_code, _body_text(answer)
        where = f"{self.target.workspace} on {self.target.remote}"
        if status == 401:
            scope = " or not valid in this workspace (check its id)" if path.startswith(self.ws + "/") else ""
            return RemoteError(f"not authorized by {where}: {body}",
                               f"the token is wrong or expired{scope}: pass --token T, set WAC_TOKEN, "
                               "or re-add the profile (`wac workspace add`)", status)
        if status == 403:
            return RemoteError(f"permission denied by {where}: {body}",
                               "the token's user lacks that right in the workspace", status)
        if status == 404 and "/workspaces/tarball" in path:
            return RemoteError(f"workspace {self.target.workspace!r} not found on {self.target.remote}",
                               "check the workspace id (`wac workspace list`)", status)
        if status >= 500:
            return RemoteError(f"{where} failed on {method} {path} ({status}): {body}",
                               "a server error: retry later, or check the instance's logs", status)
        return RemoteError(f"{method} {path} was refused ({status}): {body}", None, status)


def json_text(value: Any) -> str:
    """A value as JavaScript's JSON.stringify writes it (what wmill sends in a multipart part)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _headers() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        agent = f"wac/{version('wac')}"
    except PackageNotFoundError:
        agent = "wac"
    headers = {"User-Agent": agent}
    for pair in (os.environ.get("HEADERS") or "").split(","):  # wmill's `HEADERS="K: v, K2: v2"`
        key, sep, value = pair.partition(":")
        if sep and key.strip():
            headers[key.strip()] = value.strip()
    return headers


def _body_text(answer: httpx.Response) -> str:
    text = answer.text.strip().splitlines()[0] if answer.text.strip() else answer.reason_phrase
    for prefix in _STRIPPED_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix):]
    return text[:300]
