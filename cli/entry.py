"""The `wac` command's entry point. A preview forks its run's host first, before the command line is parsed:
the host's start (importing asyncio and the engine's side of a job) then overlaps the CLI's own imports
instead of following them, and the host, and every job it forks, carries none of the CLI. A plain preview
command line is then read without typer (`quick_args`)."""

from __future__ import annotations

import sys

# commands whose run is hosted in wac's own interpreter (unless the script's lock asks for another), and what
# their host imports ahead
_EARLY_HOSTS = {("script", "preview"): (), ("flow", "preview"): ("wac.cli.flows.driver",)}


def main() -> None:
    command = tuple(sys.argv[1:3])
    preload = _EARLY_HOSTS.get(command)
    if preload is not None and not {"--help", "-h"} & set(sys.argv):
        from wac.sdk.engine import fork_host_early

        fork_host_early(preload)
        from .quick_args import quick_call

        call = quick_call(command, sys.argv[3:])
        if call is not None:  # a plain command line: read without typer
            from .exits import run_to_exit

            run_to_exit(call)
    from .app import main as run

    run()
