"""The local executor: job store (SQLite), scheduler, forked round and task processes."""
