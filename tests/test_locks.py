"""Lock generation with real pip-tools runs against a local wheel folder."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from conftest import FIXTURES
from wheels import build_wheel

PY = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "wheels"
    build_wheel(folder, "requests", "2.31.0", ("idna>=3",))
    build_wheel(folder, "idna", "3.7")
    build_wheel(folder, "pyyaml", "6.0.1")
    build_wheel(folder, "wmill", "1.850.0")
    build_wheel(folder, "numpy", "1.26.4")
    return folder


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo" / "input", target)
    (target / ".git").mkdir()
    return target


def generate(run_wac, repo, wheels, *extra):
    return run_wac("generate-metadata", "--yes", "--json", "--no-index", "--find-links", str(wheels),
                   *extra, cwd=repo)


def test_locks_in_windmill_format_with_workspace_imports_and_modules(run_wac, repo, wheels):
    result = generate(run_wac, repo, wheels)
    assert result.returncode == 0, result.stdout + result.stderr
    data = _last_json(result.stdout)
    lock = f"# py: {PY}\nidna==3.7\nrequests==2.31.0\n"
    assert (repo / "f/lib/helper.script.lock").read_text() == lock
    # consumer and chain import helper (directly or through consumer): same requirements.
    assert (repo / "f/app/consumer.script.lock").read_text() == lock
    assert (repo / "f/app/chain.script.lock").read_text() == lock
    assert (repo / "u/alice/mine.script.lock").read_text() == f"# py: {PY}\n"
    assert (repo / "f/wf/flat.script.lock").read_text() == f"# py: {PY}\nwmill==1.850.0\n"
    assert (repo / "f/wf/flat__mod/transform.lock").read_text() == f"# py: {PY}\npyyaml==6.0.1\n"
    assert (repo / "f/wf/folder__mod/script.lock").read_text() == f"# py: {PY}\nwmill==1.850.0\n"
    assert "lock: '!inline f/lib/helper.script.lock'" in (repo / "f/lib/helper.script.yaml").read_text()
    # one resolution per distinct requirement set: {requests}, {wmill}, {pyyaml}, {numpy}
    assert data["resolutions"] == 4
    assert "+ requests 2.31.0" in data["lock_changes"]["f/lib/helper.py"]


def test_nothing_changed_resolves_nothing(run_wac, repo, wheels):
    generate(run_wac, repo, wheels)
    assert _last_json(generate(run_wac, repo, wheels).stdout)["stale"] == []
    # A new script whose requirement set was already resolved reuses the cache.
    (repo / "u/alice/mine.py").write_text(
        "import requests  # pin: requests>=2.31\n\n\ndef main(a: int = 1):\n    return a\n")
    assert _last_json(generate(run_wac, repo, wheels).stdout)["resolutions"] == 0


def _last_json(text: str):
    start = text.rfind("\n{")
    return json.loads(text[start + 1:] if start >= 0 else text)


def test_version_change_is_reported(run_wac, repo, wheels):
    generate(run_wac, repo, wheels)
    build_wheel(wheels, "requests", "2.32.0", ("idna>=3",))
    with open(repo / "f/lib/helper.py", "a") as handle:
        handle.write("\n# bump\n")
    cached = generate(run_wac, repo, wheels, "f/lib", "--strict-folder-boundaries")
    assert "f/lib/helper.py" not in _last_json(cached.stdout)["lock_changes"]  # cache: same pins
    with open(repo / "f/lib/helper.py", "a") as handle:
        handle.write("\n# bump again\n")
    result = generate(run_wac, repo, wheels, "f/lib", "--strict-folder-boundaries", "--refresh-locks")
    data = _last_json(result.stdout)
    assert data["lock_changes"]["f/lib/helper.py"] == ["requests 2.31.0 -> 2.32.0"]


def test_resolution_failure_fails_that_item_only(run_wac, repo, wheels):
    (repo / "u/alice/mine.py").write_text("import nosuchpkg_wac\n\n\ndef main():\n    return 1\n")
    result = generate(run_wac, repo, wheels)
    assert result.returncode == 1
    data = _last_json(result.stdout)
    assert [f["path"] for f in data["failed"]] == ["u/alice/mine.py"]
    assert "nosuchpkg" in data["failed"][0]["error"].lower()
    assert len(data["updated"]) == 7
    # As wmill's walk leaves it: default metadata, no recorded hash, so the next run tries again.
    assert "properties: {}" in (repo / "u/alice/mine.script.yaml").read_text()
    assert "u/alice/mine:" not in (repo / "wmill-lock.yaml").read_text()
    assert "u/alice/mine.py" in run_wac("generate-metadata", "--dry-run", cwd=repo).stdout


def test_manual_requirements_header(run_wac, repo, wheels):
    (repo / "u/alice/mine.py").write_text("#requirements:\n#idna==3.7\n\ndef main():\n    return 1\n")
    generate(run_wac, repo, wheels)
    assert (repo / "u/alice/mine.script.lock").read_text() == (
        f"# workspace-dependencies-mode: manual\n# py: {PY}\nidna==3.7\n")


def test_another_wheel_folder_is_not_answered_from_the_cache(run_wac, repo, wheels, tmp_path):
    """The lock cache key includes --find-links: the same packages from another folder resolve again."""
    assert generate(run_wac, repo, wheels).returncode == 0
    newer = tmp_path / "newer-wheels"
    shutil.copytree(wheels, newer)
    build_wheel(newer, "requests", "2.32.3", ("idna>=3",))
    (repo / "f/lib/helper.py").write_text((repo / "f/lib/helper.py").read_text() + "\n# touched\n")
    result = generate(run_wac, repo, newer)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_json(result.stdout)["resolutions"] >= 1
    assert "requests==2.32.3" in (repo / "f/lib/helper.script.lock").read_text()
