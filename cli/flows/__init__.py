"""Flows run locally: OpenFlow values (a repo's `*.flow/` folders) executed as Windmill's worker runs
them, each step a job of the engine, durable and resumable like a WAC preview.

`runner.preview_flow` is the entry point (for `wac flow preview` and the server); `definition` reads
flows, `driver` is the workflow the engine replays, `js` evaluates Windmill's JavaScript expressions.
"""
