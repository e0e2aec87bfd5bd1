"""An app's policy, derived on every push as the `wmill` CLI derives it (its app editor's generator).

The workspace runs an app's runnables only as the policy allows: one `triggerables_v2` entry per
runnable (`<component>:rawscript/<sha256 of the inline code>` or `<component>:<script|flow>/<path>`)
with the inputs fixed by the app (static fields, the options of a select a field is wired to,
the fields that may take the viewer's own resources), plus the S3 objects and uploads the app
may touch, and who the app runs as (`execution_mode`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .base import ItemError

_ACTION_TABLES = ("aggridcomponent", "aggridcomponentee", "dbexplorercomponent", "aggridinfinitecomponent",
                  "aggridinfinitecomponentee")
_SELECTS = ("resourceselectcomponent", "selectcomponent", "multiselectcomponent", "multiselectcomponentv2")
_MULTI = ("multiselectcomponent", "multiselectcomponentv2")
_S3_SOURCES = ("imagecomponent", "pdfcomponent", "downloadcomponent")
_S3_FORMS = ("schemaformcomponent", "formbuttoncomponent", "formcomponent")
_REGEX_SPECIALS = re.compile(r"[.*+?^${}()|[\]\\]")


def execution_mode(local: dict[str, Any], deployed_policy: dict[str, Any] | None) -> str:
    """Who the app runs as: what app.yaml says (`public`, `guests`, a legacy policy), else as deployed."""
    stated = local.get("policy") if isinstance(local.get("policy"), dict) else {}
    if local.get("public", stated.get("execution_mode") == "anonymous"):
        return "anonymous"
    if local.get("guests", stated.get("execution_mode") == "guest"):
        return "guest"
    if stated.get("execution_mode") in ("viewer", "publisher"):
        return stated["execution_mode"]
    return "viewer" if (deployed_policy or {}).get("execution_mode") == "viewer" else "publisher"


def policy(value: dict[str, Any], local: dict[str, Any], deployed_policy: dict[str, Any] | None) -> dict[str, Any]:
    """The policy a push sends for the app `value` (inline code already read back into it)."""
    base = deployed_policy if deployed_policy is not None else local.get("policy")
    result = {k: v for k, v in (base or {}).items() if k not in ("on_behalf_of", "on_behalf_of_email")}
    components = _components(value)
    result["allowed_s3_keys"] = [key for c in components if _data(c).get("type") in _S3_SOURCES
                                 for key in [_s3_key(_data(c).get("configuration") or {}, c)] if key]
    result["s3_inputs"] = _s3_inputs(components, value)
    result["triggerables_v2"] = _triggerables(components, value)
    result.pop("triggerables", None)
    result["execution_mode"] = execution_mode(local, deployed_policy)
    return result


def _components(value: dict[str, Any]) -> list[dict[str, Any]]:
    found = [c for c in value.get("grid") or [] if isinstance(c, dict)]
    for sub in (value.get("subgrids") or {}).values():
        found += [c for c in sub or [] if isinstance(c, dict)]
    return found


def _data(component: dict[str, Any]) -> dict[str, Any]:
    data = component.get("data")
    return data if isinstance(data, dict) else {}


def _triggerables(components: list[dict[str, Any]], value: dict[str, Any]) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for component in components:
        data = _data(component)
        inputs = [(data.get("componentInput"), component.get("id"))]
        kind = data.get("type")
        if kind == "dbexplorercomponent":
            raise ItemError(f"component {component.get('id')!r} is a database explorer: its generated SQL is not "
                            "reproduced by wac; push this app with `wmill sync push`")
        for listed, needed in (("actionButtons", kind == "tablecomponent"), ("menuItems", kind == "menucomponent"),
                               ("actions", kind in _ACTION_TABLES and isinstance(data.get("actions"), list))):
            if needed:
                if not isinstance(data.get(listed), list):
                    raise ItemError(f"component {component.get('id')!r} ({kind}) has no `{listed}` list")
                inputs += [(each.get("componentInput"), each.get("id")) for each in data[listed]
                           if isinstance(each, dict)]
        for component_input, component_id in inputs:
            if isinstance(component_input, dict) and component_input.get("type") == "runnable":
                _add(entries, component_id, component_input.get("runnable"), component_input.get("fields"), value)
    hidden = value.get("hiddenInlineScripts") or []
    for n, script in enumerate(hidden.values() if isinstance(hidden, dict) else hidden):
        if isinstance(script, dict):
            _add(entries, f"bg_{n}", script, script.get("fields"), value)
    return entries


def _add(entries: dict[str, Any], component_id: Any, runnable: Any, fields: Any, value: dict[str, Any]) -> None:
    if not isinstance(fields, dict):
        raise ItemError(f"runnable of {component_id!r} has no `fields` map (wmill stops on it too)")
    inputs = {"static_inputs": {k: f.get("value") for k, f in fields.items()
                                if isinstance(f, dict) and f.get("type") == "static"},
              "one_of_inputs": _one_of_inputs(fields, value),
              "allow_user_resources": [k for k, f in fields.items() if isinstance(f, dict) and f.get("allowUserResources")]}
    key = triggerable_key(component_id, runnable)
    if key is not None:
        script = runnable.get("inlineScript") if runnable.get("type") in ("inline", "runnableByName") else None
        tag = script.get("tag") if isinstance(script, dict) else None
        entries[key] = {**inputs, **({"tag": tag} if tag else {})}


def triggerable_key(component_id: Any, runnable: Any) -> str | None:
    """What a policy entry lets run: `<id>:rawscript/<sha256 of the inline code>` or `<id>:<script|flow>/<path>`
    (None: a runnable of neither kind)."""
    if not isinstance(runnable, dict):
        return None
    if runnable.get("type") in ("inline", "runnableByName"):
        script = runnable.get("inlineScript") if isinstance(runnable.get("inlineScript"), dict) else {}
        return f"{component_id}:rawscript/{hashlib.sha256(str(script.get('content') or '').encode()).hexdigest()}"
    if runnable.get("type") in ("path", "runnableByPath"):
        run_type = "script" if runnable.get("runType") == "hubscript" else runnable.get("runType")
        return f"{component_id}:{run_type}/{runnable.get('path')}"
    return None


def _one_of_inputs(fields: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """Fields wired to a select with fixed options: the options are the only values the app may pass."""
    found: dict[str, Any] = {}
    for name, field in fields.items():
        if not isinstance(field, dict) or field.get("type") != "evalv2":
            continue
        connections = field.get("connections") or []
        if len(connections) != 1 or not isinstance(connections[0], dict):
            continue
        wired = connections[0]
        if field.get("expr") != f"{wired.get('componentId')}.{wired.get('id')}":
            continue
        source = next((c for c in _components(value) if c.get("id") == wired.get("componentId")), None)
        data = _data(source or {})
        kind, config = data.get("type"), data.get("configuration") or {}
        if kind not in _SELECTS:
            continue
        create = config.get("create") or {}
        if kind != "resourceselectcomponent" and create.get("type") == "static" and create.get("value") is True:
            continue
        items = config.get("items") or {}
        if items.get("type") == "static" and isinstance(items.get("value"), list):
            options = items["value"]
            found[name] = options if kind in _MULTI else [o["value"] for o in options
                                                          if isinstance(o, dict) and o.get("value")]
    return found


def _s3_key(config: dict[str, Any], component: dict[str, Any]) -> dict[str, Any] | None:
    source = config.get("source")
    if not isinstance(source, dict):
        raise ItemError(f"component {component.get('id')!r} has no `configuration.source`")
    given = source.get("value")
    if source.get("type") == "uploadS3" and isinstance(given, dict) and isinstance(given.get("s3"), str):
        return {"s3_path": given["s3"], **({"storage": given["storage"]} if given.get("storage") is not None else {})}
    kind = config.get("sourceKind") or {}
    workspace_storage = kind.get("type") == "static" and kind.get("value") == "s3 (workspace storage)"
    if source.get("type") == "static" and isinstance(given, str) and (workspace_storage or given.startswith("s3://")):
        return {"s3_path": given.replace("s3://", "", 1)}
    return None


def _s3_inputs(components: list[dict[str, Any]], value: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = [_upload_rule(((_data(c).get("configuration") or {}).get("type") or {}).get("configuration", {}).get("s3"),
                           value)
              for c in components if _data(c).get("type") == "s3fileinputcomponent"]
    if any(_form_takes_s3(_data(c)) for c in components):
        inputs.append({"allow_workspace_resource": True, "allowed_resources": [], "allow_user_resources": False,
                       "file_key_regex": ""})
    return inputs


def _upload_rule(s3: Any, value: dict[str, Any]) -> dict[str, Any]:
    """Where an S3 upload component may write (its storage resource and key template)."""
    s3 = s3 if isinstance(s3, dict) else {}
    resource, template = s3.get("resource"), s3.get("pathTemplate")
    resource = resource if isinstance(resource, dict) else None
    workspace_storage = resource is None or (resource.get("type") == "static" and not resource.get("value"))
    if resource is None:
        allowed: list[Any] = []
    elif resource.get("type") == "static":
        allowed = [str(resource["value"]).removeprefix("$res:")] if resource.get("value") else []
    else:
        options = _one_of_inputs({"s3_resource": resource}, value).get("s3_resource")
        allowed = [str(o).removeprefix("$res:") for o in options or []]
    regex = "^.*$"
    if isinstance(template, dict):
        if template.get("type") == "static":
            regex = f"^{_REGEX_SPECIALS.sub(lambda m: chr(92) + m.group(), str(template.get('value')))}$"
        elif template.get("type") == "evalv2" and _fixed_template(template):
            expr = str(template.get("expr")).replace("${file.name}", "<file_name>")[1:-1]
            regex = f"^{_REGEX_SPECIALS.sub(lambda m: chr(92) + m.group(), expr)}$".replace("<file_name>", "[^/]+")
    return {"allow_workspace_resource": workspace_storage, "allowed_resources": allowed,
            "allow_user_resources": bool(resource and resource.get("type") == "evalv2"
                                         and resource.get("allowUserResources")),
            "file_key_regex": regex}


def _fixed_template(template: dict[str, Any]) -> bool:
    """A template expression that is one quoted string (but for `${file.name}`) and wired to nothing."""
    if template.get("connections"):
        return False
    return bool(re.fullmatch(r"(['\"`])[^'\"`]*\1", str(template.get("expr")).replace("${file.name}", "")))


def _form_takes_s3(data: dict[str, Any]) -> bool:
    if data.get("type") not in _S3_FORMS:
        return False
    component_input = data.get("componentInput") or {}
    if data.get("type") == "schemaformcomponent":
        properties = (component_input.get("value") or {}).get("properties")
    else:
        runnable = component_input.get("runnable") or {}
        schema = (runnable.get("inlineScript") or {}).get("schema") if runnable.get("type") in (
            "inline", "runnableByName") else runnable.get("schema")
        properties = (schema or {}).get("properties")
    for prop in (properties or {}).values():
        if not isinstance(prop, dict):
            continue
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if (prop.get("type") == "object" and prop.get("format") == "resource-s3_object") or (
                prop.get("type") == "array" and items.get("resourceType") in ("s3object", "s3_object")):
            return True
    return False
