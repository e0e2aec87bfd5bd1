"""`python -m wac.cli` runs the `wac` command."""

from wac.cli.app import main

main()
