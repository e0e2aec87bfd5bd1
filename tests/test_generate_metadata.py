"""`wac generate-metadata` against what the reference wmill CLI wrote and printed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

REPO = FIXTURES / "repo"
EXPECTED = REPO / "expected"


@pytest.fixture
def repo(tmp_path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(REPO / "input", target)
    (target / ".git").mkdir()
    return target


def edit(repo: Path) -> None:
    for rel in ("f/lib/helper.py", "f/wf/flat__mod/transform.py"):
        with open(repo / rel, "a", encoding="utf-8") as handle:
            handle.write("\n# edited\n")


def stale_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Found ")), len(lines))
    return lines[start:]


def test_schema_only_writes_the_reference_bytes(run_wac, repo):
    result = run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "Done. Updated 8 item(s)." in result.stdout
    expected = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file())
    written = sorted(
        p.relative_to(repo).as_posix() for p in repo.rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".lock") and p.name != "wmill.yaml"
    )
    assert written == expected  # in particular no stray f/wf/folder.script.yaml
    for rel in expected:
        assert (repo / rel).read_bytes() == (EXPECTED / rel).read_bytes(), rel


def test_second_run_is_up_to_date(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    result = run_wac("generate-metadata", "--dry-run", cwd=repo)
    assert "All metadata up-to-date" in result.stdout
    assert run_wac("generate-metadata", "--check", cwd=repo).returncode == 0


@pytest.mark.parametrize("args, oracle", [
    ((), "dry_run_after_edit.txt"),
    (("f/app",), "dry_run_folder_after_edit.txt"),
    (("f/lib", "--strict-folder-boundaries"), "dry_run_strict_after_edit.txt"),
])
def test_dry_run_reasons_match_reference(run_wac, repo, args, oracle):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    edit(repo)
    before = repo_bytes(repo)
    result = run_wac("generate-metadata", *args, "--dry-run", cwd=repo)
    assert result.returncode == 0
    assert stale_lines(result.stdout) == stale_lines((REPO / oracle).read_text(encoding="utf-8"))
    reference_warnings = [l for l in (REPO / oracle).read_text(encoding="utf-8").splitlines()
                          if l.startswith("Warning:")]
    assert [l for l in result.stderr.splitlines() if l.startswith("Warning:")] == reference_warnings
    assert repo_bytes(repo) == before


def repo_bytes(repo):
    """Every file of the repo but wac's own (ignored) `.wac/` folder."""
    return {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".wac" not in p.relative_to(repo).parts}


def test_check_json_for_ci(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    edit(repo)
    result = run_wac("generate-metadata", "--check", "--json", cwd=repo)
    assert result.returncode == 1
    stale = json.loads(result.stdout)["stale"]
    assert stale[0] == {"kind": "script", "path": "f/wf/flat.py", "reason": "content changed"}
    assert {"kind": "script", "path": "f/app/chain.py", "reason": "depends on f/app/consumer"} in stale


def test_regeneration_clears_staleness_and_keeps_hand_edits(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    meta = repo / "f/other/plain.script.yaml"
    meta.write_text(meta.read_text().replace("summary: ''", "summary: Scale numbers"))
    (repo / "f/other/plain.py").write_text((repo / "f/other/plain.py").read_text().replace(
        'note: str = "it\'s fine"', 'note: str = "it\'s fine", extra: bool = False'))
    assert "content changed" in run_wac("generate-metadata", "--dry-run", cwd=repo).stdout
    assert run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo).returncode == 0
    text = meta.read_text()
    assert "summary: Scale numbers" in text and "extra:" in text
    assert "All metadata up-to-date" in run_wac("generate-metadata", "--dry-run", cwd=repo).stdout


def test_rehash_records_hashes_without_touching_metadata(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    lock = (repo / "wmill-lock.yaml").read_bytes()
    (repo / "wmill-lock.yaml").unlink()
    result = run_wac("generate-metadata", "rehash", cwd=repo)
    assert result.stdout.strip() == "Rehashed 8 script(s), 0 flow(s), 0 app(s) from disk."
    assert (repo / "wmill-lock.yaml").read_bytes() == lock


def test_bad_inputs_fail_one_item_with_a_clear_line(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    (repo / "f/other/plain.script.yaml").write_text("summary: [unclosed\n")
    (repo / "u/alice/mine.py").write_bytes("def main():\n    pass\n".encode("utf-16"))
    (repo / "f/lib/helper.py").write_text("def main(:\n")
    result = run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    assert result.returncode == 1
    assert "f/other/plain.script.yaml: invalid YAML" in result.stdout
    assert "u/alice/mine.py: file is UTF-16 encoded" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (repo / "f/other/plain.script.yaml").read_text() == "summary: [unclosed\n"
    assert "f/lib/helper.script.yaml" not in result.stdout


@pytest.mark.parametrize("content, message", [
    ("version: v9\nlocks: {}\n", "unknown version"),
    ("- just\n- a list\n", "malformed"),
    ("version: v2\nlocks: [\n", "malformed"),
])
def test_bad_lockfile_is_a_usage_error(run_wac, repo, content, message):
    (repo / "wmill-lock.yaml").write_text(content)
    result = run_wac("generate-metadata", "--dry-run", cwd=repo)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_reads_v1_lockfile(run_wac, repo):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    from ruamel.yaml import YAML

    locks = YAML(typ="safe").load((repo / "wmill-lock.yaml").read_text())["locks"]
    nested = {}
    for key, value in locks.items():
        path, _, sub = key.partition("+")
        if sub:
            nested.setdefault(path, {})[sub] = value
        else:
            nested[key] = value
    import yaml

    (repo / "wmill-lock.yaml").write_text(yaml.safe_dump({"locks": nested}))
    assert "All metadata up-to-date" in run_wac("generate-metadata", "--dry-run", cwd=repo).stdout


def test_includes_and_excludes_override_wmill_yaml(run_wac, repo):
    result = run_wac("generate-metadata", "--dry-run", "-i", "f/app/**", "-e", "f/app/chain.py", cwd=repo)
    listed = [l.split()[1] for l in stale_lines(result.stdout)[2:]]
    assert listed == ["f/app/relative_user.py", "f/app/consumer.py"]


def test_lock_only_keeps_the_schema(run_wac, repo, tmp_path):
    from wheels import build_wheel

    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    meta = repo / "u/alice/mine.script.yaml"
    meta.write_text(meta.read_text().replace("type: integer", "type: string"))
    (repo / "u/alice/mine.py").write_text("import idna\n\n\ndef main(a: int = 1):\n    return a\n")
    build_wheel(tmp_path / "wheels", "idna", "3.7")
    result = run_wac("generate-metadata", "u/alice", "--lock-only", "--yes", "--no-index",
                     "--find-links", str(tmp_path / "wheels"), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "type: string" in meta.read_text()  # schema untouched
    assert (repo / "u/alice/mine.script.lock").read_text().endswith("idna==3.7\n")
    assert "+ idna 3.7" in result.stdout


def test_conflicting_flags_are_usage_errors(run_wac, repo):
    result = run_wac("generate-metadata", "--schema-only", "--lock-only", cwd=repo)
    assert result.returncode == 2 and "exclude each other" in result.stderr
    assert run_wac("generate-metadata", "a", "b", cwd=repo).returncode == 2


SHAPES = FIXTURES / "shapes"
SHAPE_EDITS = ("f/lib/light.py", "f/core/heavy.py", "f/app/edited_user.py", "f/app/unrelated.py",
               "f/keep/has_meta_no_lock.py")


@pytest.fixture
def shapes(tmp_path) -> Path:
    """fixtures/shapes/committed with the edits fixtures/regenerate.sh makes before asking wmill."""
    target = tmp_path / "shapes"
    shutil.copytree(SHAPES / "committed", target)
    (target / ".git").mkdir()
    for rel in SHAPE_EDITS:
        with open(target / rel, "a", encoding="utf-8") as handle:
            handle.write("\n# edited\n")
    return target


@pytest.mark.parametrize("args, oracle", [
    ((), "dry_run.txt"),
    (("f/lib",), "dry_run_folder.txt"),
    (("f/lib", "--strict-folder-boundaries"), "dry_run_strict.txt"),
])
def test_dry_run_names_wmills_parents_in_wmills_order(run_wac, shapes, args, oracle):
    """Two edited modules imported by one script, folder scope through imports, default metadata up to date."""
    reference = (SHAPES / oracle).read_text(encoding="utf-8")
    result = run_wac("generate-metadata", *args, "--dry-run", cwd=shapes)
    assert result.returncode == 0, result.stderr
    assert stale_lines(result.stdout) == stale_lines(reference)
    assert ([l for l in result.stderr.splitlines() if l.startswith("Warning:")]
            == [l for l in reference.splitlines() if l.startswith("Warning:")])


def test_schema_only_leaves_the_files_wmill_leaves(run_wac, shapes):
    """A lock file is created with new metadata only; every written byte is wmill's."""
    result = run_wac("generate-metadata", "--schema-only", "--yes", cwd=shapes)
    assert result.returncode == 0, result.stdout + result.stderr
    expected_root = SHAPES / "after_schema_only"
    expected = {p.relative_to(expected_root).as_posix(): p.read_bytes() for p in expected_root.rglob("*") if p.is_file()}
    written = {p.relative_to(shapes).as_posix(): p.read_bytes() for p in shapes.rglob("*")
               if p.is_file() and p.suffix in (".yaml", ".lock") and p.name != "wmill.yaml"}
    assert written.keys() == expected.keys()
    for rel, data in expected.items():
        assert written[rel] == data, rel


@pytest.mark.parametrize("folder, message", [("f/typo", "does not exist in the repo"), ("..", "outside the repo")])
def test_check_on_a_folder_that_is_not_in_the_repo_fails(run_wac, repo, folder, message):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    edit(repo)
    result = run_wac("generate-metadata", "--check", folder, cwd=repo)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "All metadata up-to-date" not in result.stdout


@pytest.mark.parametrize("flag", ["--dry-run", "--check"])
def test_rehash_refuses_dry_run_and_check_and_writes_nothing(run_wac, repo, flag):
    run_wac("generate-metadata", "--schema-only", "--yes", cwd=repo)
    edit(repo)
    before = repo_bytes(repo)
    result = run_wac("generate-metadata", "rehash", flag, cwd=repo)
    assert result.returncode == 2
    assert "rehash does not take" in result.stderr and "Traceback" not in result.stderr
    assert repo_bytes(repo) == before
