"""Paths derive from one place and follow the environment variables."""

from __future__ import annotations

from toolkit import config


def test_data_home_follows_env_and_defaults_to_project_data(monkeypatch, tmp_path):
    monkeypatch.setenv(config.DATA_HOME_ENV, str(tmp_path / "dh"))
    assert config.get_data_home() == (tmp_path / "dh").resolve()
    monkeypatch.delenv(config.DATA_HOME_ENV)
    root = config.project_root()
    assert root is not None and config.get_data_home() == root / "data"
    assert config.get_data_home(tmp_path) == tmp_path.resolve()


def test_cache_home_is_created_and_separate_from_read_only_data(monkeypatch, tmp_path):
    monkeypatch.delenv(config.CACHE_HOME_ENV, raising=False)
    monkeypatch.setenv(config.DATA_HOME_ENV, str(tmp_path / "dh"))
    assert config.get_cache_home() == (tmp_path / "dh" / ".cache").resolve()
    # A read-only data home (CI's ../shared/corpora) sends the cache to the user's cache dir.
    monkeypatch.setattr(config, "_writable", lambda path: False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cache = config.get_cache_home()
    assert cache == (tmp_path / "home" / ".cache" / "fptk").resolve()
    assert cache.is_dir()
    monkeypatch.setenv(config.CACHE_HOME_ENV, str(tmp_path / "c"))
    assert config.get_cache_home() == (tmp_path / "c").resolve()


def test_external_home(monkeypatch, tmp_path):
    monkeypatch.setenv(config.EXTERNAL_HOME_ENV, str(tmp_path / "ext"))
    assert config.get_external_home() == (tmp_path / "ext").resolve()
    monkeypatch.delenv(config.EXTERNAL_HOME_ENV)
    (tmp_path / "corpora").mkdir()
    (tmp_path / "external").mkdir()
    monkeypatch.setenv(config.DATA_HOME_ENV, str(tmp_path / "corpora"))
    assert config.get_external_home() == (tmp_path / "external").resolve()
