"""A data dir that cannot be created, written or locked: one clear message on stderr and exit status 2;
stale temp files of interrupted atomic writes are removed at start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from soma_desktop.core.startup import clean_after_crash
from soma_desktop.core.storage import atomic_write

ROOT = Path(__file__).resolve().parents[2]


def _start(data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "soma_desktop", "--data-dir", str(data_dir)], capture_output=True,
                          text=True, timeout=60, env=env)


def _uncreatable(tmp_path: Path) -> Path:
    (tmp_path / "a-file").write_text("x")
    return tmp_path / "a-file" / "data"


def _unlockable(tmp_path: Path) -> Path:
    (tmp_path / "data" / ".instance.lock").mkdir(parents=True)   # the lock file cannot be opened
    return tmp_path / "data"


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        (tmp_path / "data").mkdir()
        os.chmod(tmp_path / "data", 0o500)
        return tmp_path / "data"
    if not os.access("/proc/self", os.F_OK):
        pytest.skip("no /proc")
    return Path("/proc/self/soma-data")   # root bypasses modes; /proc refuses new entries


@pytest.mark.parametrize("make,what", [(_uncreatable, "cannot be created"), (_unlockable, "cannot be locked"),
                                       (_unwritable, "cannot be")])
def test_unusable_data_dir_gives_one_message_and_exit_2(tmp_path, make, what):
    data_dir = make(tmp_path)
    result = _start(data_dir)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("soma-desktop: The data folder") and what in lines[0]
    assert "--data-dir" in lines[0]


def test_stale_temps_of_the_app_are_removed_only_when_old(tmp_path):
    atomic_write(tmp_path / "wallet.vault", b"current vault")
    old_vault = tmp_path / ".wallet.vault.ab12cd_9.tmp"       # key wrapped under an old password
    old_settings = tmp_path / ".settings.json.zz00yy11.tmp"
    fresh = tmp_path / ".settings.json.q1w2e3r4.tmp"            # being written right now
    foreign = tmp_path / ".notes.txt.ab12cd34.tmp"              # not the app's file
    other = tmp_path / "wallet.vault.backup.tmp"
    (tmp_path / "publish" / "blobs").mkdir(parents=True)
    old_port = tmp_path / "publish" / "blobs" / ".port.abcdefgh.tmp"
    for path in (old_vault, old_settings, fresh, foreign, other, old_port):
        path.write_bytes(b"secret-ish")
    hour_ago = time.time() - 3600
    for path in (old_vault, old_settings, foreign, other, old_port):
        os.utime(path, (hour_ago, hour_ago))
    assert clean_after_crash(tmp_path) == 3
    assert not old_vault.exists() and not old_settings.exists() and not old_port.exists()
    assert fresh.exists() and foreign.exists() and other.exists()
    assert (tmp_path / "wallet.vault").read_bytes() == b"current vault"


def test_start_removes_stale_temps_and_hands_over(tmp_path, monkeypatch):
    import soma_desktop.ui.application as application
    from soma_desktop.app import run_gui

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stale = data_dir / ".wallet.vault.k3j4h5g6.tmp"
    stale.write_bytes(b"old wrapped key")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    seen = []
    monkeypatch.setattr(application, "run_application", lambda d, s, c, services=None: seen.append((d, c.key)) or 0)
    assert run_gui(data_dir) == 0
    assert seen == [(data_dir.resolve(), "sandbox")] and not stale.exists()
