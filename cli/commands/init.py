"""`wac init [FOLDER]`: a new Windmill repo (wmill.yaml, a first WAC script, .gitignore)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import InvalidInput
from ..output import Output

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EXAMPLE = "f/examples/hello_workflow.py"
# What `wmill init` writes (its commented template, no workspace bound), then wac's own starters.
FILES = {
    "wmill.yaml": "wmill.yaml",
    EXAMPLE: "hello_workflow.py",
    ".gitignore": None,
}
GITIGNORE = "__pycache__/\n.wac/\n"


def init(
    folder: Optional[Path] = typer.Argument(None, help="Where to set up the repo (default: the current folder)."),
) -> None:
    """Set up a new Windmill repo, or say what already exists; nothing is overwritten."""
    out = Output()
    root = (folder or Path.cwd()).resolve()
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} is a file, not a folder", "pass a folder to set up, or none for the current one")
    created, kept = [], []
    for rel, template in FILES.items():
        target = root / rel
        if target.exists():
            kept.append(rel)
            continue
        text = GITIGNORE if template is None else (TEMPLATES / template).read_text(encoding="utf-8")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror}", "pick a folder you can write to") from None
        created.append(rel)
    for rel in created:
        out.line(f"created  {rel}")
    for rel in kept:
        out.line(f"exists   {rel} (kept as it is)")
    if not created:
        out.line("Nothing to do: this folder is already set up.")
        return
    where = "" if root == Path.cwd().resolve() else f"cd {folder} && "
    out.line("")
    out.line("Next:")
    out.line(f"  {where}wac script preview {EXAMPLE} -d '{{\"name\": \"you\"}}'")
    out.line("  wac generate-metadata --yes      # schemas and locks, as wmill writes them")
    out.line("  wac server                       # a local workspace to `wac sync push` to")
