"""A flow's inline scripts: finding them in OpenFlow modules, moving them to files and back.

The rules of windmill-utils (the `wmill` CLI's extractor, replacer and path assigner): an
inline script's file is named from its summary (else its id), made unique case-insensitively,
with `.inline_script.` before the language's extension (just `.` with `nonDottedPaths`); its
lock goes beside it as `<name>.inline_script.lock`; the step's `content`/`lock` become
`!inline <file>` references, relative to the flow folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .languages import INLINE_EXTENSIONS, inline_extension

INLINE = "!inline "
INLINE_PREFIX = "inline_script"
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$")


@dataclass
class InlineFile:
    path: str  # relative to the flow folder
    content: str
    language: str
    is_lock: bool = False


def steps(modules: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(module, step value) of every inline script step, in the extractor's order (nested steps too).

    The module of an AI agent's tool is the tool (it has the id and summary)."""
    for module in modules if isinstance(modules, list) else ():
        value = module.get("value") if isinstance(module, dict) else None
        if not isinstance(value, dict):
            continue
        kind = value.get("type")
        if kind == "rawscript":
            yield module, value
        elif kind in ("forloopflow", "whileloopflow"):
            yield from steps(value.get("modules"))
        elif kind in ("branchall", "branchone"):
            for branch in value.get("branches") or ():
                yield from steps(branch.get("modules") if isinstance(branch, dict) else None)
            if kind == "branchone":
                yield from steps(value.get("default"))
        elif kind == "aiagent":
            for tool in value.get("tools") or ():
                tool_value = tool.get("value") if isinstance(tool, dict) else None
                if isinstance(tool_value, dict) and tool_value.get("tool_type") == "flowmodule" \
                        and tool_value.get("type") == "rawscript":
                    yield tool, tool_value


def top_modules(flow_value: dict[str, Any], *, with_special: bool = True) -> list[list]:
    """The module lists of a flow value: its steps, then its failure and preprocessor steps."""
    lists = [flow_value.get("modules") or []]
    if with_special:
        for key in ("failure_module", "preprocessor_module"):
            if isinstance(flow_value.get(key), dict):
                lists.append([flow_value[key]])
    return lists


def sanitize(summary: str, *, keep_case: bool = False) -> str:
    """A file name from a step summary, as the path assigner makes it (lowercase, no separators)."""
    name = summary.replace(" ", "_")
    name = re.sub(r'[/\\:*?"<>|\x00-\x1f\x7f]', "", name)
    name = re.sub(r"_+", "_", name)
    name = re.sub(r"^[._]+|[._]+$", "", name)
    name = name if keep_case else name.lower()
    return f"_{name}" if _WINDOWS_RESERVED.match(name.lower()) else name


class PathAssigner:
    """Unique inline script file names for one flow or app (`<name>.inline_script.<ext>`); a raw app's
    backend runnables keep their id's case and take `<id>.<ext>` (`raw=True`)."""

    def __init__(self, default_ts: str = "bun", *, non_dotted: bool = False, raw: bool = False) -> None:
        self.default_ts = default_ts
        self.suffix = "." if non_dotted or raw else ".inline_script."
        self.raw = raw
        self._counter = 0
        self._seen: set[str] = set()

    def assign(self, summary: str | None, language: str) -> tuple[str, str]:
        """(base with its trailing dot, extension), e.g. ('double.inline_script.', 'py')."""
        name = sanitize(summary, keep_case=self.raw) if summary else ""
        original = name
        if name == "":
            original = "runnable" if self.raw else INLINE_PREFIX
            name = f"{original}_0"
        while name.lower() in self._seen:
            self._counter += 1
            name = f"{original}_{self._counter}"
        self._seen.add(name.lower())
        return f"{name}{self.suffix}", inline_extension(language, self.default_ts)


class CorruptInlineScript(ValueError):
    """A step whose content is itself an `!inline` reference: the stored flow is damaged."""


def extract(modules: list, assigner: PathAssigner, mapping: dict[str, str] | None = None, *,
            fail_on_directive: bool = False) -> list[InlineFile]:
    """Move every inline script of `modules` (changed in place) to files; the files, in order."""
    files: list[InlineFile] = []
    for module, value in steps(modules):
        step_id = module.get("id", "")
        base, ext = assigner.assign(module.get("summary") or step_id, value.get("language", ""))
        mapped = (mapping or {}).get(step_id)
        path = mapped or base + ext
        content = value.get("content")
        if fail_on_directive and isinstance(content, str) and content.startswith(INLINE):
            raise CorruptInlineScript(
                f"step {step_id!r} holds the reference `{content.splitlines()[0]}` instead of its script")
        language = value.get("language", "")
        files.append(InlineFile(path, content if isinstance(content, str) else "", language))
        value["content"] = INLINE + path
        lock = value.get("lock")
        if lock:
            lock_path = (lock_base_for(mapped, language) if mapped else base) + "lock"
            value["lock"] = INLINE + lock_path
            files.append(InlineFile(lock_path, lock, language, is_lock=True))
    return files


def lock_base_for(content_path: str, language: str) -> str:
    """`x.inline_script.py` -> `x.inline_script.`: where a mapped content file's lock goes."""
    extension = INLINE_EXTENSIONS.get(language)
    if extension and content_path.endswith("." + extension):
        return content_path[: -len(extension)]
    dot = content_path.rfind(".")
    return content_path[: dot + 1] if dot > 0 else content_path + "."


def legacy_lock_path(content_path: str, language: str) -> str | None:
    """The lock name older CLIs used, when it differs from today's (to remove it)."""
    dot = content_path.rfind(".")
    legacy = (content_path[: dot + 1] if dot > 0 else content_path + ".") + "lock"
    return None if legacy == lock_base_for(content_path, language) + "lock" else legacy


def current_mapping(flow_value: dict[str, Any]) -> dict[str, str]:
    """step id -> the file its `!inline` content names (failure and preprocessor steps included)."""
    mapping: dict[str, str] = {}
    for modules in reversed(top_modules(flow_value)):
        for module, value in steps(modules):
            content = value.get("content")
            if isinstance(content, str) and content.startswith(INLINE):
                parts = content.strip().split(" ")
                mapping[module.get("id", "")] = parts[1] if len(parts) > 1 else ""
    return mapping


def inline_files(flow_value: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(step id, referenced file, step value) of every step whose content is an `!inline` file."""
    found = []
    for modules in top_modules(flow_value):
        for module, value in steps(modules):
            content = value.get("content")
            if isinstance(content, str) and content.startswith("!inline"):
                found.append((module.get("id", ""), content.split(" ")[1] if " " in content else "", value))
    return found


def replace(flow_value: dict[str, Any], read: Callable[[str], str | None]) -> list[str]:
    """Put each `!inline` file's text back into its step (in place); the files that are missing.

    As wmill: a missing content file is looked for as `<step id>.<same suffix>` too; a missing
    lock file reads as an empty lock.
    """
    missing: list[str] = []
    for step_id, path, value in inline_files(flow_value):
        text = read(path)
        if text is None:
            suffix = ".".join(path.split(".")[1:])
            text = read(f"{step_id}.{suffix}")
        if text is None:
            missing.append(path)
        else:
            value["content"] = text
        lock = value.get("lock")
        if isinstance(lock, str) and lock.lstrip().startswith(INLINE):
            value["lock"] = read(lock.split(" ")[1]) or ""
    return missing


def step_paths(flow_value: Any) -> list[str]:
    """Every `path` a step names (scripts, subflows), to refuse non-workspace paths before a push."""
    found: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("script", "flow") and isinstance(node.get("path"), str):
                found.append(node["path"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(flow_value)
    return found


def local_mapping(flow: Any) -> dict[str, str]:
    """step id -> inline file of a local `flow.yaml`'s parsed value (escaping names left out)."""
    value = flow.get("value") if isinstance(flow, dict) else None
    if not isinstance(value, dict):
        return {}
    return {step: file for step, file in current_mapping(value).items()
            if not file.startswith("/") and ".." not in re.split(r"[\\/]", file)}
