"""Profiles: where they live and how remote URLs are written (as `wmill`, which uses `new URL(x).toString()`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wac.cli.errors import InvalidInput
from wac.cli.remote.profiles import Profile, ProfileStore, config_dir, normalize_remote


@pytest.mark.parametrize("given, written", [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ("HTTPS://Windmill.Example.COM:443/", "https://windmill.example.com/"),
    ("http://h:80/prefix/", "http://h/prefix/"),
    ("https://h:8443/a?b=c", "https://h:8443/a?b=c"),
])
def test_remote_urls_are_normalised_as_wmill_does(given, written):
    assert normalize_remote(given) == written


@pytest.mark.parametrize("bad", ["ftp://h/", "localhost:8000", "http://", "http://h:99999/"])
def test_a_bad_remote_url_is_refused_with_a_hint(bad):
    with pytest.raises(InvalidInput) as caught:
        normalize_remote(bad)
    assert caught.value.hint


def test_config_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("WMILL_CONFIG_DIR", raising=False)
    assert config_dir() == tmp_path / "xdg" / "windmill"
    monkeypatch.setenv("WMILL_CONFIG_DIR", str(tmp_path / "env"))
    assert config_dir() == tmp_path / "env" / "windmill"
    assert config_dir(tmp_path / "flag") == tmp_path / "flag" / "windmill"


def test_re_adding_a_name_replaces_its_line_and_a_broken_file_is_named(tmp_path: Path):
    store = ProfileStore(tmp_path / "windmill")
    store.add(Profile("a", "http://h/", "one", "t1"))
    store.add(Profile("b", "http://h/", "two", "t2"))
    store.add(Profile("a", "http://h/", "one", "t3"))
    assert [(p.name, p.token) for p in store.all()] == [("b", "t2"), ("a", "t3")]
    assert store.active_name() == "a"
    (tmp_path / "windmill" / "remotes.ndjson").write_text("{not json}\n")
    with pytest.raises(InvalidInput, match=r"remotes.ndjson:1: not a workspace profile"):
        store.all()
