"""The Qt side of the chain cache: its plain-callback change events become one queued Qt signal.

The cache calls subscribers on the network loop thread; emitting a signal of a GUI-thread QObject from
there queues the call, so every slot runs on the GUI thread. Events of a replaced network are dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from soma_desktop.services.chain_cache import ChainCache, Change, Kind


class ChainSignals(QObject):
    changed = Signal(object)
    """Change (services.chain_cache): a key's new value or its read error."""

    def __init__(self, cache: ChainCache, parent: QObject | None = None):
        super().__init__(parent)
        self.cache = cache
        self._unsubscribe = cache.subscribe(self.changed.emit)

    def is_current(self, change: Change) -> bool:
        return change.generation == self.cache.generation

    def close(self) -> None:
        self._unsubscribe()


def touches(change: Change, *kinds: Kind, address: str | None = None) -> bool:
    """Whether a panel showing `kinds` (of `address`, for coins and stakes) must render `change`."""
    if change.key.kind not in kinds:
        return False
    return change.key.address is None or address is None or change.key.address == address
