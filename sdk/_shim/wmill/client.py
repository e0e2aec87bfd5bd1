"""`from wmill.client import TaskError` inside the wac executor (see `wmill/__init__`)."""

from wac.sdk import *  # noqa: F401,F403
from wac.sdk._real_wmill import attribute as _attribute


def __getattr__(name: str):
    return _attribute(name, "client")
