"""`wac flow preview --remote`: the steps a flow calls by path run as the workspace has them deployed.

`wmill flow preview --remote` leaves `script` and `flow` steps to the server, which runs its deployed
versions; here they are fetched once each: a deployed script becomes the inline step wmill itself makes of
a PathScript (its content, language and lock, the step's path, inputs and tag), a `flow` step calls the
deployed flow (its own script steps fetched the same way).
"""

from __future__ import annotations

from typing import Any

from wac.sdk.engine import is_workflow

from ..errors import InvalidInput
from ..remote.client import WindmillClient
from .modules import all_steps

HINT = "push it first (`wac sync push`), or preview without --remote to use the repo's copy"


class DeployedSteps:
    """The deployed scripts and flows of one workspace, fetched once per path."""

    def __init__(self, client: WindmillClient) -> None:
        self._client = client
        self._scripts: dict[str, dict[str, Any]] = {}

    def use_deployed(self, value: dict[str, Any]) -> dict[str, Any]:
        """`value` with every `script` step (nested ones too) made the inline step of its deployed script
        (a Hub script's step stays as it is: it fails when reached, as it does without --remote)."""
        for module in all_steps(value):
            step = module["value"]
            if step.get("type") == "script" and isinstance(step.get("path"), str) \
                    and not step["path"].startswith("hub/"):
                module["value"] = self._inline(module.get("id"), step)
        return value

    def flow_value(self, path: str) -> dict[str, Any]:
        """The deployed flow at `path`, its script steps made inline as `use_deployed` makes them."""
        flow = self._client.fetch_json(f"{self._client.ws}/flows/get/{path}")
        if not isinstance(flow, dict) or not isinstance(flow.get("value"), dict):
            raise InvalidInput(f"flow {path!r} is not deployed in workspace {self._client.target.workspace}", HINT)
        return self.use_deployed(flow["value"])

    def _inline(self, step_id: Any, step: dict[str, Any]) -> dict[str, Any]:
        path = step["path"]
        if path not in self._scripts:
            script = self._client.get_script(path)
            if script is None:
                raise InvalidInput(f"step {step_id!r} calls script {path!r}, not deployed in workspace "
                                   f"{self._client.target.workspace}", HINT)
            if script.get("language") == "python3" and is_workflow(script.get("content") or ""):
                raise InvalidInput(f"step {step_id!r} calls {path!r}, a workflow-as-code script: --remote runs "
                                   "deployed plain scripts only", "preview without --remote to run the repo's copy")
            self._scripts[path] = script
        script = self._scripts[path]
        inline = {"tool_type": step.get("tool_type"), "type": "rawscript", "content": script.get("content") or "",
                  "language": script.get("language"),
                  "lock": script.get("lock") or None, "path": path,
                  "input_transforms": step.get("input_transforms") or {},
                  "tag": step.get("tag_override") or script.get("tag")}
        return {key: field for key, field in inline.items() if field is not None}
