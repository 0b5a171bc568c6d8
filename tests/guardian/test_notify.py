"""The guardian's desktop notification: the right tool per platform, the text never able to change a command.

Real subprocesses: a stand-in `powershell` / `notify-send` on PATH records what it was given. Whether Windows
then shows the toast is not testable here (no Windows machine); what it is asked to run is.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from soma_desktop.guardian import notify as notify_mod

NASTY = "Reveal due for model 0xab12 in epoch 4294967297\"; Remove-Item -Recurse C:\\ ; $(calc) `whoami`"


def _recorder(bin_dir: Path, name: str, out: Path) -> None:
    script = bin_dir / name
    script.write_text("#!" + sys.executable + "\nimport json, os, sys\n"
                      f"open({str(out)!r}, 'w').write(json.dumps({{'argv': sys.argv[1:], "
                      "'title': os.environ.get('SOMA_NOTIFY_TITLE'), 'body': os.environ.get('SOMA_NOTIFY_BODY')}))\n")
    script.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


def test_windows_toast_gets_the_text_through_the_environment_only(bin_dir, tmp_path, monkeypatch):
    out = tmp_path / "call.json"
    _recorder(bin_dir, "powershell.EXE", out)       # shutil.which looks for PATHEXT names when on win32
    monkeypatch.setenv("PATHEXT", ".EXE")
    monkeypatch.setattr(notify_mod.sys, "platform", "win32")
    assert notify_mod.notify(NASTY) is True
    call = json.loads(out.read_text())
    assert call["argv"] == ["-NoProfile", "-NonInteractive", "-Command", notify_mod.WINDOWS_TOAST]
    assert "Remove-Item" not in " ".join(call["argv"])              # the text is data, never script
    assert call["body"] == NASTY and call["title"] == "SOMA Desktop"
    assert "$env:SOMA_NOTIFY_BODY" in notify_mod.WINDOWS_TOAST and "ToastText02" in notify_mod.WINDOWS_TOAST


def test_linux_notify_send_gets_the_text_as_one_argument(bin_dir, tmp_path, monkeypatch):
    out = tmp_path / "call.json"
    _recorder(bin_dir, "notify-send", out)
    monkeypatch.setattr(notify_mod.sys, "platform", "linux")
    assert notify_mod.notify(NASTY) is True
    assert json.loads(out.read_text())["argv"][-2:] == ["SOMA Desktop", NASTY]


def test_no_notifier_logs_and_says_so(bin_dir, monkeypatch, caplog):
    monkeypatch.setattr(notify_mod.sys, "platform", "win32")        # no powershell on PATH
    assert notify_mod.notify("Reveal due") is False
    assert "Reveal due" in caplog.text


def test_a_failing_notifier_is_reported_as_not_shown(bin_dir, monkeypatch):
    tool = bin_dir / "notify-send"
    tool.write_text("#!/bin/sh\nexit 1\n")
    tool.chmod(0o755)
    monkeypatch.setattr(notify_mod.sys, "platform", "linux")
    assert os.access(tool, os.X_OK) and notify_mod.notify("Reveal due") is False
