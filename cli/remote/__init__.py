"""Talking to a Windmill workspace over its real API: profiles, client, sync and remote runs."""
