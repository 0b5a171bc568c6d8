import json
import os
import stat
import subprocess
import sys

import pytest

from soma_desktop.core.ids import normalize_id, short_id
from soma_desktop.core.settings import SETTINGS_VERSION, Settings, load_settings, save_settings
from soma_desktop.core.storage import atomic_write, open_db, transaction


def test_atomic_write_replaces_whole_file_private(tmp_path):
    path = tmp_path / "sub" / "f.bin"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["f.bin"]


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f"
    atomic_write(path, b"old")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["f"]


def test_db_pragmas_and_rollback(tmp_path):
    conn = open_db(tmp_path / "x.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn.execute("CREATE TABLE t (v INTEGER)")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def test_settings_round_trip_and_unknown_keys_kept(tmp_path):
    s = Settings(network="testnet", theme="dark", hide_amounts=True)
    s.extra["future_key"] = 42
    save_settings(tmp_path, s)
    raw = json.loads((tmp_path / "settings.json").read_text())
    assert raw["version"] == SETTINGS_VERSION and raw["future_key"] == 42
    loaded = load_settings(tmp_path)
    assert (loaded.network, loaded.theme, loaded.hide_amounts, loaded.extra["future_key"]) == ("testnet", "dark",
                                                                                              True, 42)


def test_settings_migration_from_v1(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"version": 1, "sandbox_epoch_seconds": 300,
                                                        "theme": "light"}))
    loaded = load_settings(tmp_path)
    assert loaded.sandbox_epoch_minutes == 5 and loaded.theme == "light"


def test_settings_corrupt_or_invalid_values(tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    assert load_settings(tmp_path) == Settings()
    assert len(list(tmp_path.glob("settings.json.bad-*"))) == 1
    (tmp_path / "settings.json").write_text(json.dumps({"version": 2, "theme": "neon", "auto_lock_minutes": -5}))
    loaded = load_settings(tmp_path)
    assert loaded.theme == "system" and loaded.auto_lock_minutes == Settings().auto_lock_minutes
    assert len(list(tmp_path.glob("settings.json.bad-*"))) == 2


def test_ids():
    assert normalize_id("0x5") == "0x" + "0" * 63 + "5"
    assert normalize_id("AB" * 32) == "0x" + "ab" * 32
    assert short_id("ab" * 32) == "0xababab…abab"
    with pytest.raises(ValueError):
        normalize_id("0xzz")


def test_instance_lock_is_exclusive(tmp_path):
    from soma_desktop.core.instance_lock import AlreadyRunning, InstanceLock

    with InstanceLock(tmp_path):
        code = ("import sys; from pathlib import Path; from soma_desktop.core.instance_lock import InstanceLock, "
                "AlreadyRunning\ntry:\n    InstanceLock(Path(sys.argv[1])).acquire()\nexcept AlreadyRunning:\n"
                "    sys.exit(3)")
        assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 3
        with pytest.raises(AlreadyRunning):
            InstanceLock(tmp_path).acquire()
    InstanceLock(tmp_path).acquire().release()


def test_eval_memory_budget_round_trips_and_bad_values_fall_back_to_automatic(tmp_path):
    from soma_desktop.core.settings import MIN_EVAL_MEMORY_BUDGET

    budget = 6 * 2**30 + 2**20                      # above 2^32: a JSON integer, never a float
    save_settings(tmp_path, Settings(eval_memory_budget=budget))
    assert load_settings(tmp_path).eval_memory_budget == budget
    assert json.loads((tmp_path / "settings.json").read_text())["eval_memory_budget"] == budget
    good = json.loads((tmp_path / "settings.json").read_text())
    for bad in (MIN_EVAL_MEMORY_BUDGET - 1, -2**31, 2**51, 6.5 * 2**30, True, False, 0.0, "6G"):
        raw = {**good, "eval_memory_budget": bad}
        (tmp_path / "settings.json").write_text(json.dumps(raw))
        loaded = load_settings(tmp_path).eval_memory_budget
        assert (loaded, type(loaded)) == (0, int), bad                   # 0: automatic
    assert Settings(eval_memory_budget=MIN_EVAL_MEMORY_BUDGET).validated().eval_memory_budget == MIN_EVAL_MEMORY_BUDGET
