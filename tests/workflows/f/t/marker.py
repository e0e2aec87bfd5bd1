"""Side effects a test can count: one line per execution, appended atomically."""

import os
import time


def mark(*parts):
    path = os.environ["WAC_TEST_MARKS"]
    with open(path, "a") as handle:
        run = os.environ.get("WM_ROOT_FLOW_JOB_ID", "-")  # the run this job belongs to
        handle.write(" ".join(str(p) for p in (*parts, time.time(), os.getpid(), run)) + "\n")
