"""The packages a worker would install for a script: its lock's pins.

A script that imports nothing third-party but `wmill` needs none of them (wac's
SDK stands in for `wmill`, and the rest of its lock is what `wmill` needs); one
that does gets the whole lock, `wmill` included (the real package serves what
the SDK does not).
Otherwise the pins come from the script's `.script.lock` when it is up to
date (its own hash and those of every script it imports match
`wmill-lock.yaml`), otherwise from the lock `wac generate-metadata` would
write, resolved with the same machinery and cache; nothing is written to the
repo. The answer is cached per content of
every file it depends on, so a warm preview reads and hashes a few files and
loads neither YAML nor the parser.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import Failed
from .files import UnreadableFile, read_text
from .json_cache import JsonCache
from .metadata.items import ScriptItem, item_of_remote, script_item

# wac's SDK stands in for the real `wmill` package inside an environment.
SHIMMED = frozenset({"wmill"})
PINS_CACHE = ("pins.json", "pins-2", 5000)
REQUIREMENTS_CACHE = ("requirements.json", "requirements-1", 5000)
# A lock resolved here (not read from the repo) may move forward, as generate-metadata's does.
RESOLVED_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Resolution:
    """Where packages come from (generate-metadata's and pip's options)."""

    index_url: str | None = None
    find_links: tuple[str, ...] = ()
    no_index: bool = False


def script_pins(script: Path, root: Path, resolution: Resolution, cache_dir: Path | None) -> list[str]:
    """`name==version` lines to install for `script` (empty: nothing beyond the standard library)."""
    item = script_item(root, script.relative_to(root).as_posix())
    closure, texts = _closure(root, item)
    cache = JsonCache(cache_dir / PINS_CACHE[0], *PINS_CACHE[1:]) if cache_dir else None
    key = _inputs_digest(root, item, closure, resolution)
    hit = cache.get(key) if cache else None
    if hit is not None and (hit["from_repo"] or time.time() - hit["at"] < RESOLVED_TTL_SECONDS):
        return hit["pins"]
    requirements = _requirements(item.remote, texts, cache_dir)
    from_repo = True
    if not without_shimmed(requirements.packages):
        text = ""  # only `wmill` (and what it needs): wac's SDK is all the script uses
    elif _lock_is_up_to_date(root, item, closure):
        text = read_text(root / item.lock_local)
    else:
        text, from_repo = _resolved_lock(root, item.local, texts, requirements, resolution, cache_dir), False
    pins = lock_pins(text) if without_shimmed(lock_pins(text)) else []
    if cache:
        cache.put(key, {"pins": pins, "from_repo": from_repo, "at": time.time()}, owner=item.remote)
        cache.save()
    return pins


def _lock_is_up_to_date(root: Path, item: ScriptItem, closure: dict[str, ScriptItem]) -> bool:
    """Whether generate-metadata would leave the script's lock alone (its and its imports' hashes match)."""
    from .metadata.lockfile import WmillLock
    from .metadata.staleness import is_stale, read_state

    if not (root / item.lock_local).is_file():
        return False
    lock = WmillLock.load(root)
    return not any(is_stale(read_state(i), lock) for i in closure.values())


def _inputs_digest(root: Path, item: ScriptItem, closure: dict[str, ScriptItem], resolution: Resolution) -> str:
    """Hash of everything the pins depend on: the scripts, their metadata and modules, the locks, the sources."""
    digest = hashlib.sha256(repr((resolution, item.remote)).encode())
    files = [root / "wmill-lock.yaml", root / item.lock_local]
    for remote in sorted(closure):
        each = closure[remote]
        files += [each.content_path, root / each.metadata_local, *sorted(each.modules.values())]
    for path in files:
        try:
            digest.update(b"\0" + str(path).encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(b"\0" + str(path).encode() + b"\0-")
    return digest.hexdigest()


def imported_files(script: Path, root: Path) -> set[Path]:
    """The files a run of `script` depends on: it, its `__mod` modules and the repo scripts it imports."""
    closure, _ = _closure(root, script_item(root, script.relative_to(root).as_posix()))
    return {path.resolve() for item in closure.values() for path in (item.content_path, *item.modules.values())}


def cache_requirements(script: Path, root: Path, cache_dir: Path) -> None:
    """Infer the packages `script` and the repo scripts it imports need, into the cache `script_pins` reads."""
    item = script_item(root, script.relative_to(root).as_posix())
    _requirements(item.remote, _closure(root, item)[1], cache_dir)


def lock_pins(text: str) -> list[str]:
    """A lock's requirement lines, `wmill` included: where an environment is made for other packages, the real
    `wmill` serves the names wac's SDK does not (`get_variable`, ...), found past the SDK's shim."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def without_shimmed(lines) -> list[str]:
    """Requirement lines (not comments) other than the packages wac's SDK replaces."""
    return [line for line in lines if line and not line.startswith("#")
            and re.split(r"[=<>!~\[;@ ]", line, 1)[0].lower() not in SHIMMED]


def _closure(root: Path, item: ScriptItem) -> tuple[dict[str, ScriptItem], dict[str, str]]:
    """The script and every repo script it imports, transitively, and their texts (by remote path)."""
    from wac.parser import workspace_imports

    found = {item.remote: item}
    texts: dict[str, str] = {}
    pending = [item]
    while pending:
        current = pending.pop()
        try:
            text = texts[current.remote] = read_text(current.content_path)
        except UnreadableFile:
            continue
        for remote in workspace_imports(text, current.remote):
            target = found.get(remote) or item_of_remote(root, remote)
            if target is not None and remote not in found:
                found[remote] = target
                pending.append(target)
    return found, texts


def inline_pins(name: str, code: str, lock: str | None, root: Path, resolution: Resolution,
                cache_dir: Path | None) -> list[str]:
    """`name==version` lines to install for a flow's inline Python step (`name` its file, for errors): its
    `lock` as generate-metadata wrote it, else the lock it would write now; none when it imports nothing
    third-party but `wmill`."""
    remote = name.removesuffix(".py")
    requirements = _requirements(remote, {remote: code}, cache_dir)
    if not without_shimmed(requirements.packages):
        return []
    text = lock if lock is not None else _resolved_lock(root, name, {remote: code}, requirements, resolution,
                                                        cache_dir)
    return lock_pins(text) if without_shimmed(lock_pins(text)) else []


def _resolved_lock(root: Path, name: str, texts: dict[str, str], requirements, resolution: Resolution,
                   cache_dir: Path | None) -> str:
    """The lock generate-metadata would write for script `name` now (resolutions cached as it caches them)."""
    from .metadata.locks import Locker, ResolutionError

    locker = Locker(root, texts, index_url=resolution.index_url, find_links=resolution.find_links,
                    no_index=resolution.no_index, **({"cache_dir": cache_dir / "locks"} if cache_dir else {}))
    try:
        return locker.render(requirements)
    except ResolutionError as exc:
        raise Failed(f"cannot lock the packages of {name}: {exc}",
                     "pin a version that exists (`import x  # pin: x==1.2`), or pass --find-links DIR / "
                     "--index-url URL; --env current runs in wac's own environment instead") from None


def _requirements(remote: str, texts: dict[str, str], cache_dir: Path | None):
    from .metadata.requirements_graph import RequirementSet

    digest = hashlib.sha256(remote.encode())
    for path in sorted(texts):
        digest.update(f"\0{path}\0{texts[path]}".encode())
    cache = JsonCache(cache_dir / REQUIREMENTS_CACHE[0], *REQUIREMENTS_CACHE[1:]) if cache_dir else None
    hit = cache.get(digest.hexdigest()) if cache else None
    if hit is not None:
        return RequirementSet(tuple(hit["packages"]), hit["manual"], hit["python"])
    from .metadata.requirements_graph import requirements_for

    try:
        found = requirements_for(remote, texts)
    except ValueError:
        return RequirementSet(())  # a syntax error: the preview's own check reports it, with its position
    if cache:
        cache.put(digest.hexdigest(), {"packages": list(found.packages), "manual": found.manual,
                                       "python": found.python}, owner=remote)
        cache.save()
    return found
