"""`wac dev [PATH]`: save, and see the run (or, for the whole repo, lint and stale metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..run_commands import EnvChoice
from ._shared import EnvOption, FindLinksOption, IndexUrlOption, NoIndexOption


def dev(
    path: Optional[Path] = typer.Argument(None, help="A script (f/x/y.py) or flow folder (f/x/y.flow); none: "
                                                     "the whole repo."),
    data: Optional[str] = typer.Option(None, "-d", "--data", metavar="JSON",
                                       help="The run's input: JSON or @file (watched too)."),
    env: EnvChoice = EnvOption,
    index_url: Optional[str] = IndexUrlOption,
    find_links: Optional[List[str]] = FindLinksOption,
    no_index: bool = NoIndexOption,
    port: int = typer.Option(8001, "--port", min=0, max=65535, metavar="PORT",
                             help="The live page's port on 127.0.0.1 (another free one when taken; 0: any)."),
    no_page: bool = typer.Option(False, "--no-page", help="No live page: the terminal lines only."),
) -> None:
    """Watch the repo: on every save run the script or flow again, one line per run (a save during a run
    cancels it); with no PATH, lint what changed and list the items whose metadata went stale."""
    from ..dev import Target, watch_repo, watch_target
    from ..errors import InvalidInput, PathNotFound
    from ..project import find_root

    emit = typer.echo
    if path is None:
        root = find_root(Path.cwd())
        if not (root / "wmill.yaml").is_file():
            raise InvalidInput(f"no wmill.yaml in {root} or above it: not a Windmill repo",
                               "run `wac dev` inside a Windmill repo, or give a script")
        watch_repo(root, emit)
        return
    if not path.exists():
        raise PathNotFound(str(path))
    target_path = path.resolve()
    if target_path.name == "flow.yaml":
        target_path = target_path.parent
    extra = ("--env", env.value, *(("--index-url", index_url) if index_url else ()),
             *(a for link in find_links or () for a in ("--find-links", link)), *(("--no-index",) if no_index else ()))
    watch_target(Target(target_path, find_root(target_path.parent), data, extra), emit,
                 port=None if no_page else port)
