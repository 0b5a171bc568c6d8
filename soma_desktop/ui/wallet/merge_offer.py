"""Coins before fees: say why a transaction needs one bigger coin, and offer *Merge coins first*.

The verdict comes from services/quotes.py (the coins the network may pick to pay with). A failed send that the
network refused with `InvalidInput(field="merge_first")` gets the same offer with the network's reason.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from soma_desktop.network.errors import InvalidInput


def merge_first_reason(exc: BaseException) -> str | None:
    """The network's reason when it refused to send until the coins are merged (nothing was sent)."""
    if isinstance(exc, InvalidInput) and exc.field == "merge_first":
        return str(exc)
    return None


class MergeOffer(QWidget):
    """A reason in plain words and a *Merge coins first* button; hidden until `offer` is called."""

    sig_merge_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.reason = QLabel("")
        self.reason.setObjectName("mergeFirstReason")
        self.reason.setWordWrap(True)
        self.button = QPushButton("Merge coins first")
        self.button.setObjectName("mergeFirstButton")
        self.button.setToolTip("Merge this account's coins into one, then try again")
        self.button.clicked.connect(self.sig_merge_requested.emit)
        row.addWidget(self.reason, 1)
        row.addWidget(self.button)
        self.hide()

    def offer(self, reason: str) -> None:
        self.reason.setText(reason)
        self.show()

    def withdraw(self) -> None:
        self.reason.setText("")
        self.hide()
