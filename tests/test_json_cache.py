"""The on-disk caches stay the size of the repo, not of its history: a file edited again and again (as under
`wac dev`) keeps only its newest few entries, so loading a cache does not grow with use."""

from __future__ import annotations

import json
from pathlib import Path

from wac.cli.analysis import CACHE_NAME, analyze
from wac.cli.json_cache import KEPT_PER_OWNER, JsonCache

SCRIPT = '''
from wmill import task, workflow

@task
async def double(i: int):
    return 2 * i

@workflow
async def main(n: int = 3):
    return [await double(i) for i in range(n)]
'''


def test_an_owner_keeps_its_newest_entries_and_the_rest_stay(tmp_path: Path):
    path = tmp_path / "cache.json"
    cache = JsonCache(path, "v1", 100)
    cache.put("other", {"n": -1}, owner="f/x/other.py")
    cache.put("anonymous", {"n": -2})
    for n in range(10):
        cache.put(f"k{n}", {"n": n}, owner="f/x/edited.py")
    cache.put("k7", {"n": 7}, owner="f/x/edited.py")  # an undo: back to a kept version, now the newest
    cache.save()

    again = JsonCache(path, "v1", 100)
    assert [again.get(f"k{n}") for n in range(10)] == [None] * 6 + [{"n": 6}, {"n": 7}, {"n": 8}, {"n": 9}]
    assert again.get("other") == {"n": -1} and again.get("anonymous") == {"n": -2}
    again.put("k10", {"n": 10}, owner="f/x/edited.py")
    assert again.get("k6") is None and again.get("k7") == {"n": 7}  # k7 was made the newest by its undo
    assert len(json.loads(path.read_text())["entries"]) == 2 + KEPT_PER_OWNER


def test_the_overall_cap_drops_the_oldest_and_their_owners_forget_them(tmp_path: Path):
    path = tmp_path / "cache.json"
    cache = JsonCache(path, "v1", 3)
    for n in range(5):
        cache.put(f"k{n}", n, owner=f"f/x/s{n}.py")
    cache.put("k1", 1, owner="f/x/s1.py")  # put again: the newest, kept over older ones
    cache.save()
    data = json.loads(path.read_text())
    assert list(data["entries"]) == ["k3", "k4", "k1"]
    assert data["owners"] == {"f/x/s1.py": ["k1"], "f/x/s3.py": ["k3"], "f/x/s4.py": ["k4"]}


def test_a_cache_written_before_owners_is_read_and_a_broken_one_starts_empty(tmp_path: Path):
    path = tmp_path / "cache.json"
    path.write_text(json.dumps({"version": "v1", "entries": {"old": 1}}))
    cache = JsonCache(path, "v1", 10)
    assert cache.get("old") == 1
    cache.put("new", 2, owner="f/x/a.py")
    cache.save()
    assert JsonCache(path, "v1", 10).get("old") == 1
    path.write_text(json.dumps({"version": "v1", "entries": {"a": 1, "b": 2}, "owners": {"x": "a", "y": [["b"]]}}))
    odd = JsonCache(path, "v1", 10)
    odd.put("c", 3, owner="x")
    odd.save()
    assert [JsonCache(path, "v1", 10).get(k) for k in "abc"] == [1, 2, 3]
    path.write_text("{not json")
    assert JsonCache(path, "v1", 10).get("old") is None
    path.write_text(json.dumps({"version": "v0", "entries": {"old": 1}}))
    assert JsonCache(path, "v1", 10).get("old") is None


def test_a_script_saved_many_times_keeps_few_analyses(tmp_path: Path):
    (tmp_path / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    script = tmp_path / "f" / "x" / "flow.py"
    script.parent.mkdir(parents=True)
    for n in range(KEPT_PER_OWNER + 6):
        code = SCRIPT + f"\n# save {n}\n"
        script.write_text(code)
        assert analyze(script, code, tmp_path)["findings"] == []
    entries = json.loads((tmp_path / ".wac" / "cache" / CACHE_NAME).read_text())["entries"]
    assert len(entries) == KEPT_PER_OWNER
