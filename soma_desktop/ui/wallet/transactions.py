"""The Qt side of wallet transactions: runs WalletService calls on the bridge and says when history moved.

The record → send → record-the-outcome logic lives in services/wallet.py; this adapter only delivers
results on the GUI thread and emits `sig_history_changed` so every view reloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from soma_desktop.services.wallet import NOT_SENT, WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.wallet.history import TxRecord

__all__ = ["NOT_SENT", "TxTracker"]

T = TypeVar("T")


class TxTracker(QObject):
    """One per app (held by the wallet session): the submit path and history reads for every panel."""

    sig_history_changed = Signal()
    """A record was added or moved on; views reload."""

    def __init__(self, bridge: AsyncBridge, service: WalletService, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.service = service
        service.recorded.append(self._on_recorded)   # claims and model actions from other panels count too

    def _on_recorded(self, _record: TxRecord) -> None:
        """Loop thread: the emit is queued to the GUI thread's receivers."""
        if shiboken6.isValid(self):
            self.sig_history_changed.emit()

    # ---- Public API ----------------------------------------------------------------------------
    def network_key(self) -> str:
        return self.service.cache.network_key

    def load(self, account: str, on_done: Callable[[list[TxRecord]], None],
             on_error: Callable[[BaseException], None], owner: QObject | None = None) -> None:
        self.bridge.call(self.service.history(account), on_result=on_done, on_error=on_error, owner=owner or self,
                         label="transaction history")

    def export_csv(self, path: str, account: str, on_done: Callable[[int], None],
                   on_error: Callable[[BaseException], None], owner: QObject | None = None) -> None:
        self.bridge.call(self.service.export_csv(path, account), on_result=on_done, on_error=on_error,
                         owner=owner or self, label="CSV export")

    def run(self, job: Awaitable[T], on_done: Callable[[T], None], on_error: Callable[[BaseException], None],
            label: str, owner: QObject | None = None) -> None:
        """Run one WalletService transaction; history views reload whatever the outcome.

        The tracker (not the panel) owns the call: the record is finished even if the panel is gone.
        """
        def done(result: T) -> None:
            self.sig_history_changed.emit()
            if owner is None or shiboken6.isValid(owner):
                on_done(result)

        def failed(exc: BaseException) -> None:
            self.sig_history_changed.emit()
            if owner is None or shiboken6.isValid(owner):
                on_error(exc)

        self.bridge.call(job, on_result=done, on_error=failed, tx=True, owner=self, label=label)
