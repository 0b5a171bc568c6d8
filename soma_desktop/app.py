"""Composition root: data dir, lock, logging, settings and network choice; then hands over to the UI."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from soma_desktop.core.instance_lock import AlreadyRunning, InstanceLock
from soma_desktop.core.paths import default_data_dir, ensure_private_dir
from soma_desktop.core.settings import load_settings
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


def run_gui(data_dir: Path | None = None, network: str | None = None) -> int:
    data_dir = ensure_private_dir((data_dir or default_data_dir()).expanduser().resolve())
    try:
        choice = parse_choice(network) if network else None
    except InvalidInput as exc:
        print(f"soma-desktop: {exc}", file=sys.stderr)
        return 2
    try:
        lock = InstanceLock(data_dir).acquire()
    except AlreadyRunning as exc:
        print(f"soma-desktop: {exc}", file=sys.stderr)
        return 1
    try:
        from soma_desktop.wallet.hardening import disable_core_dumps

        disable_core_dumps()  # a crash dump would hold the unlocked vault's keys
        setup_logging(data_dir)
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
