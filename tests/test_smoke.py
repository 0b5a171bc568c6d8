"""The release smoke hook: SOMA_DESKTOP_SMOKE_TEST=1 runs the real GUI start-up on a fresh profile and exits
with a one-line verdict (CI runs it against the installed wheel, build-bundle.sh --test against the bundle)."""

from __future__ import annotations

import os
import subprocess
import sys


def _start(data_dir, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "soma_desktop", "--data-dir", str(data_dir)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env})


def test_smoke_start_reports_a_healthy_window_and_exits(tmp_path):
    result = _start(tmp_path / "fresh", SOMA_DESKTOP_SMOKE_TEST="1")
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("soma-desktop smoke:")]
    assert line.startswith("soma-desktop smoke: ok ")
    assert "demo_models=3" in line and "icon=True" in line and "torch_at_startup=False" in line
    assert (tmp_path / "fresh" / "sandbox" / "chain.db").is_file()   # the sandbox opened on the fresh profile

