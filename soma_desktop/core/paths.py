"""Where SOMA Desktop keeps its files."""

from __future__ import annotations

import os
from importlib.resources import files
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
    """The installed `soma_desktop.resources` package (the repository's top-level resources/, see setup.py)."""
    # Wheels, editable installs and the PyInstaller bundle all unpack to real folders; the demo weights are
    # memory-mapped and Qt reads the icon by path, so a zipped install is refused rather than half-working.
    try:
        root = files("soma_desktop.resources")
    except ModuleNotFoundError:
        # A source checkout put on PYTHONPATH without any install: the folder beside the package.
        return Path(__file__).resolve().parents[2] / "resources"
    if not isinstance(root, Path):
        raise RuntimeError(f"soma_desktop.resources is not installed as a folder ({root!r}); reinstall SOMA Desktop")
    return root
