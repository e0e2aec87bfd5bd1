"""`from wmill.client import TaskError` inside the wac executor."""

from wac.sdk import *  # noqa: F401,F403
from wac.sdk import TaskError  # noqa: F401
