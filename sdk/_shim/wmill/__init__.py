"""`import wmill` inside the wac executor.

The workflow-as-code API (`workflow`, `task`, `step`, ...) is wac's, which
drives the replay; every other name (`run_script_by_path`, `get_variable`,
`Windmill`, ...) comes from the real `wmill` package when the script's
environment has it, talking to the workspace the job runs in.
"""

from wac.sdk import *  # noqa: F401,F403
from wac.sdk import __all__  # noqa: F401
from wac.sdk._real_wmill import attribute as _attribute


def __getattr__(name: str):
    return _attribute(name)
