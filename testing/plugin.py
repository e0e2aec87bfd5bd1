"""The pytest plugin (entry point `pytest11`): the `wac` fixture, a Harness for the test's project."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import Harness


@pytest.fixture
def wac(request, tmp_path):
    """A Harness for the project around the test file (the folder of `wmill.yaml` above it, else the
    rootdir), with a job store of this test's own."""
    from wac.cli.project import find_root

    start = Path(str(request.node.path)).parent
    root = find_root(start)
    if not (root / "wmill.yaml").is_file():
        root = Path(str(request.config.rootpath))
    harness = Harness(root, tmp_path / "wac-state")
    yield harness
    harness.close()
