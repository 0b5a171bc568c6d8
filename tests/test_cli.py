"""The console script as a user runs it: help, bad arguments, and a torch-free start-up."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from soma_desktop.cli import build_parser, main

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "soma_desktop", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO)


def test_help_documents_options_networks_and_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for needle in ("--data-dir", "--network", "sandbox", "testnet", "localnet", "env:ALIAS", "eval"):
        assert needle in result.stdout


def test_console_script_installed():
    script = Path(sys.executable).parent / "soma-desktop"
    assert script.exists()
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("soma-desktop ")


def test_unknown_network_is_a_clear_error(tmp_path):
    result = run_cli("--data-dir", str(tmp_path), "--network", "mainnet-please")
    assert result.returncode == 2
    assert "Unknown network" in result.stderr and "Traceback" not in result.stderr


def test_parser_defaults():
    args = build_parser().parse_args([])
    assert args.data_dir is None and args.network is None


def test_second_instance_refused(tmp_path):
    from soma_desktop.core.instance_lock import InstanceLock

    with InstanceLock(tmp_path):
        assert main(["--data-dir", str(tmp_path)]) == 1


def test_startup_shows_window_without_torch(tmp_path):
    """The real start-up path opens the main window on the sandbox and never imports torch."""
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from soma_desktop.core.settings import load_settings
        from soma_desktop.network.factory import parse_choice
        from soma_desktop.ui.application import create_window, make_qapplication

        app = make_qapplication()
        data = Path({str(tmp_path)!r})
        ctx, window = create_window(data, load_settings(data), parse_choice("sandbox"))
        window.show()
        def check():
            if ctx.state is None:
                return
            print("TITLE", window.windowTitle())
            print("BADGE", window.status.network_badge.text())
            print("TORCH", "torch" in sys.modules)
            app.quit()
        timer = QTimer(); timer.timeout.connect(check); timer.start(50)
        QTimer.singleShot(30000, app.quit)
        app.exec()
        ctx.shutdown()
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=90,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=REPO)
    assert "TITLE SOMA Desktop" in result.stdout, result.stderr[-2000:]
    assert "BADGE SANDBOX" in result.stdout
    assert "TORCH False" in result.stdout


@pytest.mark.parametrize("subcommand", ["eval"])
def test_subcommand_help(subcommand):
    result = run_cli(subcommand, "--help")
    assert result.returncode == 0 and "usage" in result.stdout.lower()
