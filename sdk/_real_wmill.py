"""The real `wmill` package, found past wac's shim, for the names wac does not serve."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SHIM_DIR = str(Path(__file__).resolve().parent / "_shim")
ALIAS = "_wac_real_wmill"


def load() -> ModuleType | None:
    """The real package (imported once, under another name), or None when the environment has none."""
    if ALIAS in sys.modules:
        return sys.modules[ALIAS]
    paths = [p for p in sys.path if Path(p or ".").resolve().as_posix() != Path(SHIM_DIR).as_posix()]
    spec = importlib.machinery.PathFinder.find_spec("wmill", paths)
    if spec is None or spec.loader is None:
        return None
    spec = importlib.util.spec_from_file_location(ALIAS, spec.origin,
                                                  submodule_search_locations=spec.submodule_search_locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[ALIAS] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[ALIAS]
        raise
    return module


def attribute(name: str, submodule: str | None = None):
    """`wmill.<name>` (or `wmill.<submodule>.<name>`) from the real package."""
    if name.startswith("__"):
        raise AttributeError(name)
    real = load()
    if real is None:
        raise AttributeError(f"wmill.{name} needs the `wmill` package: wac serves only the workflow-as-code "
                             "API; add `wmill` to the script's requirements")
    if submodule:
        real = importlib.import_module(f"{ALIAS}.{submodule}")
    return getattr(real, name)
