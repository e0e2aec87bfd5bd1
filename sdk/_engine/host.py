"""Loading a user script once, so each round and task can fork from it."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

SHIM_DIR = Path(__file__).resolve().parent.parent / "_shim"
MODULE_SUFFIX = "__mod"


class ScriptLoadError(Exception):
    """The script could not be imported or has no usable entry point."""


def prepare_imports(project_root: Path) -> None:
    """`import wmill` resolves to wac.sdk; `from f.x.y import z` to the project's files."""
    for path in (str(project_root), str(SHIM_DIR)):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    for name in [m for m in sys.modules if m == "wmill" or m.startswith("wmill.")]:
        if not getattr(sys.modules[name], "__file__", "").startswith(str(SHIM_DIR)):
            del sys.modules[name]


def load_module(path: Path, project_root: Path, name: str | None = None) -> ModuleType:
    """Import the file at `path` under its Windmill dotted name (relative imports work)."""
    try:
        relative = path.resolve().relative_to(project_root.resolve()).with_suffix("")
        dotted = ".".join(relative.parts)
    except ValueError:
        dotted = path.stem
    name = name or dotted
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScriptLoadError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    module.__package__ = name.rpartition(".")[0]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ScriptLoadError(f"importing {path.name} failed: {type(exc).__name__}: {exc}") from exc
    return module


def entry_point(module: ModuleType) -> Callable[..., Any]:
    main = getattr(module, "main", None)
    if not callable(main):
        raise ScriptLoadError("the script has no main() function")
    return main


def module_dir(script: Path) -> Path:
    """The `__mod` folder of a script, in flat or folder layout."""
    if script.parent.name.endswith(MODULE_SUFFIX) and script.stem == "script":
        return script.parent
    return script.with_name(script.stem + MODULE_SUFFIX)


def source_hash(script: Path) -> str:
    """Hash of the script and its `__mod` files: a run refuses to resume when it changes."""
    digest = hashlib.sha256(script.read_bytes())
    folder = module_dir(script)
    if folder.is_dir():
        for path in sorted(folder.rglob("*.py")):
            if path != script:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def resolve_target(script: Path, project_root: Path, target: str) -> Path:
    """The file a `task_script` target names: `./x.py` in `__mod`, or `f/...` in the project."""
    if target.startswith("./"):
        folder = module_dir(script).resolve()
        path = (folder / target[2:]).resolve()
        if folder not in path.parents:
            raise ScriptLoadError(f"module '{target}' is outside the script's __mod folder")
        if not path.is_file():
            raise ScriptLoadError(f"Module '{target[2:]}' not found in script modules ({folder.name}/)")
        return path
    for candidate in (project_root / f"{target}.py", project_root / f"{target}{MODULE_SUFFIX}" / "script.py"):
        if candidate.is_file():
            return candidate
    raise ScriptLoadError(f"script '{target}' is not in this project (looked for {target}.py); "
                          "local preview runs only local scripts")
