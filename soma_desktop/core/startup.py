"""Start-up checks that run before any window: a usable data dir, and no debris from a crash."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from soma_desktop.core.paths import ensure_private_dir
from soma_desktop.core.storage import clean_stale_temps

log = logging.getLogger(__name__)

EXIT_DATA_DIR = 2

# Files the app writes with core.storage.atomic_output, per folder of the data dir.
ATOMIC_FILES: dict[str, tuple[str, ...]] = {
    ".": ("wallet.vault", "settings.json"),
    "publish/blobs": ("port",),
}


class DataDirError(Exception):
    """The data dir cannot be created, written or locked; the message says what to do."""


def _advice(path: Path, what: str, exc: OSError) -> DataDirError:
    reason = exc.strerror or type(exc).__name__
    return DataDirError(f"The data folder {path} {what} ({reason}). Fix its permissions or free space, or "
                        "choose another folder with --data-dir DIR or SOMA_DESKTOP_DATA_DIR.")


def prepare_data_dir(path: Path) -> Path:
    """Create the data dir (0700) and prove a file can be written in it."""
    try:
        ensure_private_dir(path)
    except OSError as exc:
        raise _advice(path, "cannot be created", exc) from None
    if not path.is_dir():
        raise DataDirError(f"The data folder {path} is not a folder. Choose another with --data-dir DIR.")
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise _advice(path, "cannot be written", exc) from None
    return path


def lock_error(path: Path, exc: OSError) -> DataDirError:
    return _advice(path, "cannot be locked", exc)


def clean_after_crash(data_dir: Path) -> int:
    """Remove the app's own stale temp files (call with the instance lock held)."""
    removed = 0
    for folder, names in ATOMIC_FILES.items():
        for path in clean_stale_temps(data_dir / folder, names):
            log.info("removed a temp file left by an interrupted write: %s", path.name)
            removed += 1
    return removed
