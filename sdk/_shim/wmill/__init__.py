"""`import wmill` inside the wac executor.

The workflow-as-code API (`workflow`, `task`, `step`, ...) is wac's, which
drives the replay; every other name (`run_script_by_path`, `get_variable`,
`Windmill`, ...) comes from the real `wmill` package when the script's
environment has it, talking to the workspace the job runs in. Resources and variables come first from
the run's workspace file (a preview's repo files, the test harness's) or `wac server`.
"""

from wac.sdk import *  # noqa: F401,F403
from wac.sdk import __all__  # noqa: F401
from wac.sdk._real_wmill import attribute as _attribute
from wac.sdk._workspace_file import served as _served


def __getattr__(name: str):
    return _served(name) or _attribute(name)
