"""Loading a user script once, in its host, so each round and task can fork from it."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from ..layout import MODULE_SUFFIX, module_dir

SHIM_DIR = Path(__file__).resolve().parent.parent / "_shim"


class ScriptLoadError(Exception):
    """The script could not be imported or has no usable entry point."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.path, self.line = message, path, line

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "path": self.path, "line": self.line}


def import_roots(project_root: str) -> list[Path]:
    """The folders workspace imports resolve in (`os.pathsep`-separated); the first names the script's module."""
    return [Path(part) for part in project_root.split(os.pathsep) if part]


def prepare_imports(script: Path, roots: list[Path]) -> None:
    """`import wmill` resolves to wac's SDK; `from f.x.y import z` to the project's
    scripts; a `__mod` folder's modules import by name, as on a worker."""
    folders = [f for f in (module_dir(script), script.parent) if f.name.endswith(MODULE_SUFFIX) and f.is_dir()]
    for path in [str(f) for f in folders] + [str(r) for r in roots] + [str(SHIM_DIR)]:
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    for name in [m for m in sys.modules if m == "wmill" or m.startswith("wmill.")]:
        if not getattr(sys.modules[name], "__file__", "").startswith(str(SHIM_DIR)):
            del sys.modules[name]


def load_module(path: Path, project_root: Path, name: str | None = None) -> ModuleType:
    """Import the file at `path` under its Windmill dotted name (relative imports work)."""
    try:
        dotted = ".".join(path.resolve().relative_to(project_root.resolve()).with_suffix("").parts)
    except ValueError:
        dotted = path.stem
    name = name or dotted
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScriptLoadError(f"cannot load {path}", str(path))
    module = importlib.util.module_from_spec(spec)
    module.__package__ = name.rpartition(".")[0]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ScriptLoadError(f"SyntaxError: {exc.msg}", exc.filename or str(path), exc.lineno) from None
    except BaseException as exc:
        where = _deepest_user_frame(exc, path, project_root)
        raise ScriptLoadError(f"{type(exc).__name__}: {exc}", *where) from None
    return module


def _deepest_user_frame(exc: BaseException, script: Path, project_root: Path) -> tuple[str, int | None]:
    """Where an import failed: the last frame in the project's own files (else the script)."""
    root = str(project_root.resolve())
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(root)]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return str(script), None


def entry_point(module: ModuleType) -> Callable[..., Any]:
    main = getattr(module, "main", None)
    if not callable(main):
        raise ScriptLoadError("the script has no main() function", getattr(module, "__file__", None))
    return main


def is_workflow(text: str) -> bool:
    """Windmill's rule: a line importing wmill and a line `@workflow` (comments ignored)."""
    imports = decorated = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        imports = imports or line.startswith(("import wmill", "from wmill"))
        decorated = decorated or stripped == "@workflow" or stripped.startswith("@workflow(")
    return imports and decorated


def source_hash(script: Path) -> str:
    """Hash of the script and every file of its `__mod` folder: a run refuses to resume when it changes."""
    digest = hashlib.sha256(script.read_bytes())
    folder = module_dir(script)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if path != script:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def resolve_target(script: Path, roots: list[Path], target: str) -> Path:
    """The file a `task_script` target names: `./x.py` in `__mod`, or `f/...` in the project."""
    if target.startswith("./"):
        folder = module_dir(script).resolve()
        path = (folder / target[2:]).resolve()
        if folder not in path.parents:
            raise ScriptLoadError(f"module '{target}' is outside the script's {MODULE_SUFFIX} folder")
        if not path.is_file():
            raise ScriptLoadError(f"Module '{target[2:]}' not found in script modules ({folder.name}/)")
        return path
    for root in roots:
        for candidate in (root / f"{target}.py", root / f"{target}{MODULE_SUFFIX}" / "script.py"):
            if candidate.is_file():
                return candidate
    raise ScriptLoadError(f"script '{target}' is not in this project (looked for {target}.py); "
                          "a local preview runs only local scripts")
