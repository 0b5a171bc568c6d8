"""Composition root: data dir, lock, logging, settings and network choice; then hands over to the UI."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from soma_desktop.core.instance_lock import AlreadyRunning, InstanceLock
from soma_desktop.core.paths import default_data_dir
from soma_desktop.core.settings import load_settings
from soma_desktop.core.startup import EXIT_DATA_DIR, DataDirError, clean_after_crash, lock_error, prepare_data_dir
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.factory import parse_choice


def setup_logging(data_dir: Path) -> None:
    """A rotating log in the data dir. Messages never carry secrets (see security.md)."""
    handler = logging.handlers.RotatingFileHandler(data_dir / "soma-desktop.log", maxBytes=2_000_000,
                                                   backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal", "vnc"):
        return False
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def fail_start(text: str, code: int) -> int:
    """One clear message: stderr always, a dialog too when a display is available."""
    print(f"soma-desktop: {text}", file=sys.stderr)
    if _has_display():
        try:
            from soma_desktop.ui.startup_notices import show_fatal

            show_fatal(text)
        except Exception:  # noqa: BLE001 - the message is on stderr already; a broken display must not hide it
            pass
    return code


def _open_data_dir(data_dir: Path) -> InstanceLock:
    prepare_data_dir(data_dir)
    try:
        lock = InstanceLock(data_dir).acquire()
    except AlreadyRunning:
        raise
    except OSError as exc:
        raise lock_error(data_dir, exc) from None
    try:
        setup_logging(data_dir)
    except OSError as exc:
        lock.release()
        raise lock_error(data_dir, exc) from None
    return lock


def run_gui(data_dir: Path | None = None, network: str | None = None) -> int:
    data_dir = (data_dir or default_data_dir()).expanduser()
    try:
        data_dir = data_dir.resolve()
    except (OSError, RuntimeError):   # a symlink loop or an unreadable parent: prepare_data_dir says so
        data_dir = data_dir.absolute()
    try:
        choice = parse_choice(network) if network else None
    except InvalidInput as exc:
        print(f"soma-desktop: {exc}", file=sys.stderr)
        return 2
    try:
        lock = _open_data_dir(data_dir)
    except AlreadyRunning as exc:
        return fail_start(str(exc), 1)
    except DataDirError as exc:
        return fail_start(str(exc), EXIT_DATA_DIR)
    try:
        from soma_desktop.wallet.hardening import disable_core_dumps

        disable_core_dumps()  # a crash dump would hold the unlocked vault's keys
        clean_after_crash(data_dir)
        settings = load_settings(data_dir)
        if choice is None:
            try:
                choice = parse_choice(settings.network)
            except InvalidInput:
                choice = parse_choice("sandbox")
        from soma_desktop.services.root import build_services
        from soma_desktop.ui.application import run_application

        return run_application(data_dir, settings, choice, build_services(data_dir))
    finally:
        lock.release()
