"""A flow's TypeScript steps (deno, bun) run with Deno (the `deno` package, `wac[ts]`), as Windmill's Deno
wrapper calls them: arguments by parameter name, `undefined` as null, a thrown error as the step's error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

TYPED = '''export async function main(n: number, label: string = "default", extra?: { deep: boolean }) {
  console.log("ts sees", n, label);
  return { doubled: n * 2, label, extra: extra ?? null, missing: undefined };
}
'''
THROWS = 'export function main(x: number) {\n  throw new TypeError(`bad ${x}`);\n}\n'
PYTHON = "def main(ts, bun):\n    return [ts, bun]\n"


def write(repo, second: str = "export const main = async (a: number[]) => a.length;\n") -> None:
    folder = repo / "f/x/ts.flow"
    folder.mkdir(parents=True)
    (folder / "a.inline_script.deno.ts").write_text(TYPED)
    (folder / "b.inline_script.ts").write_text(second)
    (folder / "c.inline_script.py").write_text(PYTHON)
    modules = [
        {"id": "a", "value": {"type": "rawscript", "language": "deno", "content": "!inline a.inline_script.deno.ts",
                              "input_transforms": {"n": {"type": "javascript", "expr": "flow_input.n"},
                                                   "extra": {"type": "static", "value": {"deep": True}}}}},
        {"id": "b", "value": {"type": "rawscript", "language": "bun", "content": "!inline b.inline_script.ts",
                              "input_transforms": {"a": {"type": "static", "value": [1, 2, 3]},
                                                   "x": {"type": "javascript", "expr": "results.a.doubled"}}}},
        {"id": "c", "value": {"type": "rawscript", "language": "python3", "content": "!inline c.inline_script.py",
                              "input_transforms": {"ts": {"type": "javascript", "expr": "results.a"},
                                                   "bun": {"type": "javascript", "expr": "results.b"}}}}]
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    return root


def test_typescript_steps_take_their_arguments_by_name_and_hand_on_json(run_wac, repo):
    write(repo)
    run = run_wac("flow", "preview", "f/x/ts.flow", "-d", '{"n": 21}', cwd=repo)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        {"doubled": 42, "label": "default", "extra": {"deep": True}, "missing": None}, 3]
    assert "ts sees 21 default" in run.stderr


def test_a_bun_step_imports_nodes_own_modules_by_their_bare_names(run_wac, repo):
    write(repo, 'import os from "os";\nimport { join } from "path";\n\n'
                'export const main = async (a: number[]) => join("x", os.platform()).length > 2 ? a.length : -1;\n')
    run = run_wac("flow", "preview", "f/x/ts.flow", "-d", '{"n": 1}', "-s", cwd=repo)
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)[1] == 3


def test_a_thrown_error_is_the_steps_error(run_wac, repo):
    write(repo, THROWS)
    run = run_wac("flow", "preview", "f/x/ts.flow", "-d", '{"n": 1}', "-s", cwd=repo)
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert (error["name"], error["message"], error["step_id"]) == ("TypeError", "bad 2", "b")
    assert "main.ts:2" in error["stack"]


def test_without_deno_the_step_fails_with_one_line_saying_what_to_install(repo, tmp_path):
    write(repo)
    hide_deno = "import sys; sys.modules['deno'] = None; from wac.cli.app import main; sys.argv[0] = 'wac'; main()"
    env = {**os.environ, "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "XDG_STATE_HOME": str(tmp_path / "state")}
    run = subprocess.run([sys.executable, "-c", hide_deno, "flow", "preview", "f/x/ts.flow", "-d", '{"n": 1}', "-s"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert error["step_id"] == "a"
    assert error["message"] == ("this step is TypeScript (deno) and Deno is not installed: `pip install 'wac[ts]'` "
                                "(or put deno on the PATH), or run the flow on a workspace (`wmill flow preview`)")


def test_a_flow_runs_the_repos_bash_and_typescript_scripts_from_their_own_place(run_wac, repo):
    """`script` steps naming a repo script in Bash or TypeScript: run as inline steps of that language, a
    TypeScript one from its file (its relative and `/f/...` imports resolve, extension-less as on Bun)."""
    (repo / "f/x").mkdir(parents=True)
    (repo / "f/x/names.ts").write_text('export const PREFIX = "hello";\n')
    (repo / "f/lib").mkdir(parents=True)
    (repo / "f/lib/suffix.ts").write_text('export const SUFFIX = "!";\n')
    (repo / "f/x/greet.ts").write_text('import { PREFIX } from "./names";\nimport { SUFFIX } from "/f/lib/suffix";\n\n'
                                       'export async function main(who: string) {\n'
                                       '  return `${PREFIX} ${who}${SUFFIX}`;\n}\n')
    (repo / "f/x/shout.sh").write_text('word="$1"\necho "${word^^}"\n')
    (repo / "f/x/bun_only.ts").write_text('import { S3Client } from "bun";\n\nexport function main() {\n  return 1;\n}\n')
    folder = repo / "f/x/calls.flow"
    folder.mkdir()
    modules = [
        {"id": "greet", "value": {"type": "script", "path": "f/x/greet",
                                  "input_transforms": {"who": {"type": "javascript", "expr": "flow_input.who"}}}},
        {"id": "shout", "value": {"type": "script", "path": "f/x/shout",
                                  "input_transforms": {"word": {"type": "javascript", "expr": "results.greet"}}}}]
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))
    run = run_wac("flow", "preview", "f/x/calls.flow", "-d", '{"who": "ana"}', "-s", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == "HELLO ANA!"  # `/f/...`: the repo's scripts, from its root
    modules[0]["value"]["path"] = "f/x/bun_only"
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))
    refused = run_wac("flow", "preview", "f/x/calls.flow", "-d", '{"who": "ana"}', "-s", cwd=repo)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["message"].startswith("this step uses Bun's own modules (`bun`)")


def test_a_failing_bash_step_is_worded_as_windmills_with_its_last_line(run_wac, repo):
    (repo / "f/x").mkdir(parents=True)
    (repo / "f/x/fails.sh").write_text('echo "checking"\necho "no certificate" >&2\nexit 3\n')
    folder = repo / "f/x/bash.flow"
    folder.mkdir()
    modules = [{"id": "check", "value": {"type": "script", "path": "f/x/fails", "input_transforms": {}}}]
    (folder / "flow.yaml").write_text(yaml.safe_dump({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))
    run = run_wac("flow", "preview", "f/x/bash.flow", "-s", cwd=repo)
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert error == {"name": "ExecutionErr", "message": 'exit code for "bash": 3, last log line:\nno certificate',
                     "step_id": "check"}


def test_bare_imports_of_the_repo_modules_a_step_imports_go_to_npm_too(tmp_path):
    """Bun resolves every bare import from npm; Deno needs each in the import map, followed through `./x`
    and `/f/...` imports (extension-less) into the repo's own modules."""
    from wac.cli.flows.typescript import npm_imports

    (tmp_path / "f/lib").mkdir(parents=True)
    (tmp_path / "f/lib/db.ts").write_text('import * as wmill from "windmill-client";\nimport { x } from "./util";\n')
    (tmp_path / "f/lib/util.ts").write_text('import lodash from "lodash";\nimport fs from "node:fs";\n'
                                            'import { join } from "path";\nimport { readFile } from "fs/promises";\n')
    (tmp_path / "f/x").mkdir()
    step = tmp_path / "f/x/step.ts"
    step.write_text('import { db } from "/f/lib/db";\nimport dayjs from "dayjs";\nimport { y } from "./gone";\n')
    assert npm_imports(step.read_text(), step, tmp_path) == {
        "dayjs": "npm:dayjs", "windmill-client": "npm:windmill-client", "lodash": "npm:lodash",
        "path": "node:path", "fs/promises": "node:fs/promises"}
