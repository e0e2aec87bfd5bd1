"""`wac server` (a local Windmill workspace) and `wac server token`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="A local Windmill workspace that the wmill CLI and SDK (and wac) can use.",
                  invoke_without_command=True)
DataOption = typer.Option(None, "--data", metavar="DIR",
                          help="Where the server keeps its data (default: .wac/ of the repo, else a per-user folder).")
WorkspaceOption = typer.Option("local", "--workspace", metavar="ID", help="The workspace id.")


@app.callback()
def server(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (only this machine by default)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    workspace: str = WorkspaceOption,
    data: Optional[Path] = DataOption,
    workers: int = typer.Option(4, "--workers", min=1, metavar="N", help="Jobs and tasks run at once."),
    python: Optional[Path] = typer.Option(None, "--python", metavar="PATH",
                                          help="One interpreter for every job (default: each job in an environment "
                                               "with exactly its lock's packages)."),
) -> None:
    """Serve a local Windmill workspace until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    from ..server.run import serve

    serve(host=host, port=port, workspace=workspace, data=data, workers=workers,
          python=str(python) if python else None)


@app.command("token")
def token(
    workspace: str = WorkspaceOption,
    data: Optional[Path] = DataOption,
    rotate: bool = typer.Option(False, "--rotate", help="Replace the token (the old one stops working)."),
) -> None:
    """Print the workspace's admin token (or a new one with --rotate)."""
    from ..errors import InvalidInput
    from ..server.setup import locate, new_token, prepare, read_token

    location = locate(data)
    db, created = prepare(location, workspace)
    value = new_token(db, location.data_dir, workspace) if rotate else created or read_token(location.data_dir,
                                                                                            workspace)
    if value is None:
        raise InvalidInput(f"no token for workspace {workspace}", "create one with `wac server token --rotate`")
    typer.echo(value)
