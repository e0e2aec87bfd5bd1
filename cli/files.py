"""Reading and writing files safely: decoding with clear errors, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class UnreadableFile(Exception):
    """A file that exists but cannot be read as UTF-8 text."""


def read_text(path: Path) -> str:
    """UTF-8 text of `path` (a BOM is dropped); raises UnreadableFile."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("file is UTF-16 encoded; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not valid UTF-8 (byte {exc.start})") from None


def create_new(path: Path, text: str = "") -> None:
    """Write `text` to `path` unless the file exists (atomically: never half-written)."""
    if not path.exists():
        write_atomic(path, text)


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` via a temp file and rename: never half-written.

    The file keeps its permissions (a new one gets the umask's), unless `mode` is given.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode if mode is not None else _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
