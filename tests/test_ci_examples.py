"""The CI files shipped in examples/ci/ run as written: every `wac` step, in order, against a `wac server`."""

from __future__ import annotations

import shlex

import pytest

from conftest import EXAMPLES
from test_sync import changes, deployed, wac

from wac.cli.metadata.yaml_load import load as load_yaml

CI = EXAMPLES / "ci"


def github_steps() -> list[str]:
    workflow = load_yaml((CI / "github-actions.yml").read_text())
    assert set(workflow["on"]) == {"pull_request", "push"}
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def gitlab_steps() -> list[str]:
    pipeline = load_yaml((CI / "gitlab-ci.yml").read_text())
    assert pipeline["default"]["before_script"] == ["pip install wac"]
    return [line for stage in pipeline["stages"] for job in pipeline.values()
            if isinstance(job, dict) and job.get("stage") == stage for line in job["script"]]


@pytest.mark.parametrize("steps", [github_steps, gitlab_steps], ids=["github", "gitlab"])
def test_the_ci_file_checks_then_deploys_the_repo(steps, tmp_path, wac_server):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo, ignore=shutil.ignore_patterns(".wac"))
    commands = [shlex.split(line.replace("${{ github.sha }}", "abc123").replace("$CI_COMMIT_SHORT_SHA", "abc123"))
                for line in steps() if line.startswith("wac ")]
    assert [c[:3] for c in commands][-1] == ["wac", "sync", "push"] and "--yes" in commands[-1]
    for command in commands:
        done = wac(*command[1:], cwd=repo, server=wac_server)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    assert deployed(wac_server, "f/examples/steps")["deployment_message"] == "abc123"
    assert changes(wac("sync", "push", "--dry-run", cwd=repo, server=wac_server)) == []
