"""A flow value's modules, walked: every step at any depth, and the JavaScript of their inputs.

Free of YAML and of the CLI, so the flow driver (which every job of a flow forks from) stays small."""

from __future__ import annotations

from typing import Any


def all_steps(node: Any) -> list[dict[str, Any]]:
    """Every module of a flow value, nested ones and the failure and preprocessor modules included."""
    if isinstance(node, list):
        return [found for child in node for found in all_steps(child)]
    if not isinstance(node, dict):
        return []
    own = [node] if isinstance(node.get("value"), dict) and "id" in node else []
    return own + [found for child in node.values() for found in all_steps(child)]


def input_expressions(values: list[dict[str, Any]]) -> list[str]:
    """The JavaScript of every step input of `values`."""
    return [transform.get("expr") or "" for module in all_steps(values)
            for transform in (module["value"].get("input_transforms") or module["value"].get("input_transform")
                              or {}).values()
            if isinstance(transform, dict) and transform.get("type") == "javascript"]
