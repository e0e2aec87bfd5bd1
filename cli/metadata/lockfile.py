"""`wmill-lock.yaml`: the content hash recorded for every item."""

from __future__ import annotations

from pathlib import Path


from ..errors import InvalidInput
from ..files import UnreadableFile, read_text, write_atomic
from .yaml_emit import dump
from .yaml_load import YAMLError, describe
from .yaml_load import load as load_yaml

FILE_NAME = "wmill-lock.yaml"
SEPARATOR = "+"


class LockFileError(InvalidInput):
    code = "lockfile_invalid"


class WmillLock:
    """Entries `path` / `path+subpath` -> sha256, read from v1 or v2, written as v2."""

    def __init__(self, path: Path, entries: dict[str, str] | None = None, *, existed: bool = True) -> None:
        self.path = path
        self.entries = dict(entries or {})
        self.existed = existed

    @classmethod
    def load(cls, root: Path) -> "WmillLock":
        path = root / FILE_NAME
        if not path.exists():
            return cls(path, existed=False)
        try:
            data = load_yaml(read_text(path))
        except (YAMLError, UnreadableFile) as exc:
            reason = describe(exc) if isinstance(exc, YAMLError) else str(exc)
            raise LockFileError(f"{FILE_NAME}: malformed: {reason}",
                                "fix it, or delete it and run `wac generate-metadata rehash`") from None
        if data is None:
            return cls(path)
        if not isinstance(data, dict) or not isinstance(data.get("locks", {}), (dict, type(None))):
            raise LockFileError(f"{FILE_NAME}: malformed: expected `version` and a `locks` mapping",
                                "delete it and run `wac generate-metadata rehash`")
        version = data.get("version", "v1")
        if version not in ("v1", "v2"):
            raise LockFileError(f"{FILE_NAME}: unknown version {version!r}",
                                "this wac reads v1 and v2; upgrade wac or regenerate the file")
        return cls(path, _flatten(data.get("locks") or {}, nested=version == "v1"))

    def get(self, key: str) -> str | None:
        return self.entries.get(key, self.entries.get(f"./{key}"))

    def clear(self, item: str) -> None:
        """Remove `item`, `item+*` and their `./` spellings."""
        for key in list(self.entries):
            bare = key[2:] if key.startswith("./") else key
            if bare == item or bare.startswith(item + SEPARATOR):
                del self.entries[key]

    def replace(self, item: str, hashes: dict[str, str]) -> None:
        self.clear(item)
        self.entries.update(hashes)

    def render(self) -> str:
        return dump({"version": "v2", "locks": self.entries})

    def save(self) -> None:
        write_atomic(self.path, self.render())


def normalize_key(key: str) -> str:
    key = key.replace("\\", "/")
    return key[2:] if key.startswith("./") else key


def _flatten(locks: dict, *, nested: bool) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in locks.items():
        if nested and isinstance(value, dict):
            for sub, digest in value.items():
                flat[f"{normalize_key(str(key))}{SEPARATOR}{sub}"] = str(digest)
        else:
            flat[normalize_key(str(key))] = str(value)
    return flat
