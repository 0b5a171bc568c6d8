"""Opt-in start at login of the reveal guardian (`soma-desktop guard`), Linux/XDG only.

The entry is a freedesktop autostart file, `$XDG_CONFIG_HOME/autostart/soma-desktop-guard.desktop`
(default ~/.config/autostart). Its presence is the setting: Preferences reads and writes it here. macOS
(LaunchAgent) and Windows (Startup folder) are documented in packaging/autostart.md and not automated.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from soma_desktop.core.storage import atomic_write_text

FILE_NAME = "soma-desktop-guard.desktop"


def supported() -> bool:
    return sys.platform.startswith("linux")


def autostart_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart"


def entry_path() -> Path:
    return autostart_dir() / FILE_NAME


def guard_command(data_dir: Path) -> list[str]:
    """The installed `soma-desktop` script if on PATH, else this interpreter running the package."""
    script = shutil.which("soma-desktop")
    head = [script] if script else [sys.executable, "-m", "soma_desktop"]
    return [*head, "guard", "--data-dir", str(data_dir)]


def desktop_entry(data_dir: Path) -> str:
    # Exec uses the desktop-entry quoting rules: arguments with spaces in double quotes.
    exec_line = " ".join(shlex.quote(arg).replace("'", '"') for arg in guard_command(data_dir))
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            "Name=SOMA Desktop reveal guardian\n"
            "Comment=Sends due model reveals while SOMA Desktop is closed\n"
            f"Exec={exec_line}\n"
            "Terminal=false\n"
            "NoDisplay=true\n"
            "X-GNOME-Autostart-enabled=true\n")


def is_enabled() -> bool:
    return entry_path().is_file()


def set_enabled(enabled: bool, data_dir: Path) -> Path | None:
    """Write or remove the entry; returns its path when written. Raises OSError with the reason."""
    path = entry_path()
    if not enabled:
        path.unlink(missing_ok=True)
        return None
    if not supported():
        raise OSError("Start at login is automated on Linux only; see packaging/autostart.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, desktop_entry(data_dir))
    return path
