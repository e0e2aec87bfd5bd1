"""`import wmill` inside the wac executor: Windmill's WAC API, served by wac.sdk."""

from wac.sdk import *  # noqa: F401,F403
from wac.sdk import __all__  # noqa: F401
