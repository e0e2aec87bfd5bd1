"""The `wac` command line: everything that touches files, processes and terminals."""
