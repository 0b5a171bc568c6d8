"""Saving settings from the GUI: a snapshot written on the loop thread (no file I/O in a slot)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

from soma_desktop.core.settings import Settings, save_settings
from soma_desktop.ui.bridge import AsyncBridge

log = logging.getLogger(__name__)


def persist_settings(bridge: AsyncBridge, data_dir: Path, settings: Settings) -> None:
    snapshot = dataclasses.replace(settings, extra=dict(settings.extra))
    bridge.call(asyncio.to_thread(save_settings, data_dir, snapshot),
                on_error=lambda exc: log.warning("could not save settings: %s", exc), label="saving settings")
