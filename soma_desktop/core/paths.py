"""Where SOMA Desktop keeps its files."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "soma-desktop"
APP_AUTHOR = "SOMA"


def default_data_dir() -> Path:
    """$SOMA_DESKTOP_DATA_DIR, else the platform's per-user data dir (platformdirs)."""
    override = os.environ.get("SOMA_DESKTOP_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def ensure_private_dir(path: Path) -> Path:
    """Create the data dir readable by the user only: it holds the vault and the publish journal."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def resources_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources"
