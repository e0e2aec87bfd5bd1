"""Every command against the mistakes a new user makes: one line (and a hint) on stderr, no traceback,
exit 2 for bad input or 1 for a failed job or check, and the repo byte-for-byte as it was (but for
wac's own git-ignored state folder, `.wac/`, where a failed push may have cached what it parsed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import FIXTURES, RunningServer

READ_ONLY = "Read-only file system"


@pytest.fixture
def server(request, tmp_path):
    """A fresh `wac server` for the cases that talk to one."""
    if not request.node.callspec.params["case"].remote:
        yield None
        return
    running = RunningServer(tmp_path / "server-data", tmp_path)
    yield running
    running.stop()


def _unicode_script(repo: Path) -> None:
    folder = repo / "f/démo_ü"
    folder.mkdir()
    (folder / "héllo_日本.py").write_text("def main():\n    return 1\n")


def _bad_cron(repo: Path) -> None:
    path = repo / "f/etl/nightly.schedule.yaml"
    path.write_text(path.read_text().replace("0 0 3 * * *", "0 0 3 * * * * *"))


def _broken_flow(repo: Path) -> None:
    (repo / "f/etl/notify.flow/flow.yaml").write_text("summary: [broken\n")


def _missing_inline(repo: Path) -> None:
    (repo / "f/etl/daily.flow/clean.inline_script.py").unlink()


@dataclass
class Case:
    name: str
    args: list[str]
    code: int
    says: str
    setup: Callable[[Path], None] | None = None
    where: str = "repo"  # repo, or empty (a folder that is no repo)
    remote: bool = False  # talks to the test server
    read_only: bool = False
    extra: list[str] = field(default_factory=list)


CASES = [
    Case("generate-metadata in a read-only repo", ["generate-metadata", "--yes"], 2, READ_ONLY,
         setup=lambda repo: (repo / "f/lib/helper.py").write_text("def main(x: int):\n    return x\n"),
         read_only=True),
    Case("sync pull into a read-only repo", ["sync", "pull", "--yes"], 2, READ_ONLY,
         setup=lambda repo: (repo / "f/lib/helper.py").unlink(), remote=True, read_only=True),
    Case("a profile named ''", ["workspace", "add", "", "local", "http://127.0.0.1:9/", "--token", "t", "--force"],
         2, "invalid profile name ''"),
    Case("a profile name with a slash", ["workspace", "add", "bad name/../x", "local", "http://127.0.0.1:9/",
                                         "--token", "t"], 2, "path separator"),
    Case("a push of a path Windmill refuses", ["sync", "push", "--yes"], 2, "folder name 'démo_ü' contains 'é', 'ü'",
         setup=_unicode_script, remote=True),
    Case("a push of a schedule with a bad cron", ["sync", "push", "--yes"], 2, "it has 8 fields", setup=_bad_cron,
         remote=True),
    Case("a push of a malformed flow.yaml", ["sync", "push", "--yes"], 2, "f/etl/notify.flow/flow.yaml: invalid YAML",
         setup=_broken_flow, remote=True),
    Case("a push of a flow missing an !inline file", ["sync", "push", "--dry-run"], 2,
         "missing inline script file(s): clean.inline_script.py", setup=_missing_inline, remote=True),
    Case("a push to a server that is down", ["sync", "push", "--yes", "--base-url", "http://127.0.0.1:9",
                                             "--workspace", "local", "--token", "t"], 1, "cannot reach"),
    Case("generate-metadata --check outside a repo", ["generate-metadata", "--check"], 2, "no wmill.yaml",
         where="empty"),
    Case("job list where nothing ran", ["job", "list"], 2, "no job store", where="empty"),
    Case("a preview of a TypeScript script", ["script", "preview", "f/ops/ping.ts"], 2,
         "is TypeScript (Bun): wac previews Python scripts only"),
    Case("-d null", ["script", "preview", "f/lib/helper.py", "-d", "null"], 2, "got null"),
    Case("lint of a path that does not exist", ["lint", "f/nope.py"], 2, "no such file or folder"),
    Case("a server on an address that is none", ["server", "--host", "0.0.0.0.0", "--port", "0"], 2,
         "cannot listen on 0.0.0.0.0"),
]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".wac" not in p.relative_to(root).parts}


def _can_mount_read_only(folder: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0"',
                            str(folder)], capture_output=True)
    return probe.returncode == 0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_clear_line_and_nothing_changed(tmp_path, server, case: Case):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mixed" / "committed", repo)
    (repo / ".git").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAC_", "WMILL_", "PIP_"))}
    env.update(NO_COLOR="1", COLUMNS="200", WMILL_CONFIG_DIR=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"), PIP_CONFIG_FILE=os.devnull)
    if case.remote:
        env.update(WAC_BASE_URL=server.url, WAC_WORKSPACE="local", WAC_TOKEN=server.token)
        if case.read_only:  # something to pull
            subprocess.run([sys.executable, "-m", "wac.cli", "sync", "push", "--yes"], cwd=repo, env=env,
                           capture_output=True, check=True)
    if case.setup:
        case.setup(repo)
    cwd = repo
    if case.where == "empty":
        cwd = tmp_path / "empty"
        cwd.mkdir()
        (cwd / ".git").mkdir()
    command = [sys.executable, "-m", "wac.cli", *case.args]
    if case.read_only:
        if not _can_mount_read_only(cwd):
            pytest.skip("needs unshare and mount to make a read-only bind mount")
        command = ["unshare", "-rm", "sh", "-c", 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" '
                                                 '&& exec "$@"', str(cwd), *command]
    before = _tree(cwd)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == case.code, done.stdout + done.stderr
    assert lines and lines[0].startswith("error: ") and case.says in lines[0], done.stderr
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "internal error" not in done.stderr
    assert _tree(cwd) == before
    if case.remote and not case.read_only:
        assert server.client.get("w/local/folders/get/etl").status_code == 404  # nothing was pushed
    if case.name == "a server on an address that is none":
        assert not (cwd / ".wac").exists()
