"""A YAML file's value, parsed once per content: reading an unchanged file again (a flow previewed over and
over in the dev loop) skips the parser and importing it. One entry per file, in wac's state folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .files import CannotWrite, write_atomic
from .project import wac_dir

CACHE_VERSION = "1"  # bump when yaml_load reads a document differently


class InvalidYaml(Exception):
    """The text is not valid YAML; the message says what and where."""


def load_cached(text: str, file: Path, root: Path) -> Any:
    """The value of YAML `text` (the content of `file`, in repo `root`); raises InvalidYaml."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\n{text}".encode()).hexdigest()
    entry = _entry(file, root)
    try:
        cached = json.loads(entry.read_text(encoding="utf-8")) if entry else None
        if isinstance(cached, dict) and cached.get("digest") == digest:
            return cached["value"]
    except (OSError, ValueError, KeyError):
        pass
    from .metadata.yaml_load import YAMLError, describe, load

    try:
        value = load(text)
    except YAMLError as exc:
        raise InvalidYaml(describe(exc)) from None
    if entry:
        _save(entry, digest, value)
    return value


def _entry(file: Path, root: Path) -> Path | None:
    try:
        folder = wac_dir(root) / "cache" / "yaml"
    except InvalidInput:
        return None
    return folder / f"{hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:24]}.json"


def _save(entry: Path, digest: str, value: Any) -> None:
    """Keep `value` if JSON holds it as it is (not: int keys, NaN, sets, binary...)."""
    try:
        encoded = json.dumps({"digest": digest, "value": value}, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return
    if json.loads(encoded)["value"] != value:
        return
    try:
        write_atomic(entry, encoded)
    except CannotWrite:
        pass  # a cache that cannot be written only costs speed next time
