"""Reading and writing files safely: decoding with clear errors, atomic writes, and the one place that
turns the operating system's refusals (read-only, permission, disk full, name too long) into a
one-line error naming the file and what to do."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import InvalidInput

_HINTS = {
    errno.EROFS: "the file system is read-only: run wac from a copy you can write to",
    errno.EACCES: "you may not write there: fix the folder's permissions, or run wac from a copy you own",
    errno.EPERM: "you may not write there: fix the folder's permissions, or run wac from a copy you own",
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EDQUOT: "your disk quota is used up: free some space and run the command again",
    errno.ENAMETOOLONG: "the name is too long for the file system: use a shorter path",
}


class CannotWrite(InvalidInput):
    """The operating system refused a write wac needed; nothing was half-written."""

    code = "cannot_write"

    def __init__(self, path: Path, exc: OSError) -> None:
        super().__init__(f"cannot write {path}: {exc.strerror or exc}",
                         _HINTS.get(exc.errno or 0, "check the folder exists and is writable"))


def check_writable(paths: list[Path]) -> None:
    """Refuse before writing anything when the nearest existing folder of a path is not writable."""
    seen: set[Path] = set()
    for path in paths:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if folder in seen:
            continue
        seen.add(folder)
        if not os.access(folder, os.W_OK):
            code = errno.EROFS if _read_only(folder) else errno.EACCES
            raise CannotWrite(path, OSError(code, os.strerror(code)))


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


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


def read_or_none(path: Path) -> str | None:
    """A file's text, or None when it is missing or not UTF-8 text."""
    try:
        return read_text(path)
    except UnreadableFile:
        return None


def write_if_changed(path: Path, text: str) -> None:
    """Write `text` unless the file already holds exactly it (atomically, as write_atomic)."""
    if read_or_none(path) != text:
        write_atomic(path, text)


def create_new(path: Path, text: str = "") -> None:
    """Write `text` to `path` unless the file exists (atomically: never half-written)."""
    if not path.exists():
        write_atomic(path, text)


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` via a temp file and rename: never half-written.

    The file keeps its permissions (a new one gets the umask's), unless `mode` is given.
    """
    import tempfile  # here: a preview that writes nothing does not pay its import (random, shutil)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CannotWrite(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode if mode is not None else _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CannotWrite(path, exc) from None
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
