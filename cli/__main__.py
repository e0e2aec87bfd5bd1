"""`python -m wac.cli` runs the `wac` command."""

from wac.cli.entry import main

main()
