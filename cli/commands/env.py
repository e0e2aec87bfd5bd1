"""`wac env list|prune`: the environments previews run scripts in (one per lock content)."""

from __future__ import annotations

import shutil
import time
from typing import Optional

import typer

from ._shared import JsonOption

app = typer.Typer(no_args_is_help=True, help="Environments scripts preview in (one per lock, in the user cache).")


@app.command("list")
def list_envs(json_output: bool = JsonOption) -> None:
    """Every environment: its packages, size and last use, most recent first."""
    from ..environments import envs_dir, installed
    from ..output import Output

    out = Output(json_mode=json_output)
    envs = installed()
    if json_output:
        out.print_json([{"path": str(e.path), "packages": e.pins, "size": e.size, "last_used": e.last_used}
                        for e in envs])
        return
    if not envs:
        out.line(f"No environments in {envs_dir()}.")
        return
    out.line(f"{'last used':<17} {'size':>9}  packages")
    for env in envs:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(env.last_used))
        out.line(f"{used:<17} {_size(env.size):>9}  {' '.join(env.pins)}")
    out.line(f"{len(envs)} environment(s), {_size(sum(e.size for e in envs))} in {envs_dir()}")


@app.command("prune")
def prune(
    older_than: Optional[str] = typer.Option(None, "--older-than", metavar="AGE",
                                             help="Remove environments not used for AGE (e.g. 30d, 12h)."),
    all_envs: bool = typer.Option(False, "--all", help="Remove every environment (they are made again on use)."),
    json_output: bool = JsonOption,
) -> None:
    """Remove environments not used lately (or all); a preview makes one again when needed."""
    from ..args import parse_age
    from ..environments import STAGING_MAX_AGE, installed, leftovers, remove
    from ..errors import InvalidInput
    from ..output import Output

    if older_than is None and not all_envs:
        raise InvalidInput("say which environments to remove", "pass --older-than 30d, or --all")
    limit = 0.0 if all_envs else parse_age(older_than)
    now = time.time()
    gone = [env for env in installed() if now - env.last_used >= limit]
    for env in gone:
        remove(env)
    for staging in leftovers(STAGING_MAX_AGE):
        shutil.rmtree(staging, ignore_errors=True)
    freed = sum(env.size for env in gone)
    out = Output(json_mode=json_output)
    if json_output:
        out.print_json({"removed": [str(env.path) for env in gone], "freed": freed})
    else:
        out.line(f"Removed {len(gone)} environment(s), {_size(freed)} freed.")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
