"""Coins before fees: say why a transaction needs one bigger coin, and offer *Merge coins first*.

The verdict comes from network.sdk.coin_check (the coins the network may pick to pay with). The sandbox always
pays from the richest coin; soma-sdk picks among the 8 richest. A failed send that the network refused with
`InvalidInput(field="merge_first")` gets the same offer with the network's reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from soma_desktop.network.base import Network
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk.coin_check import SDK_GAS_TOP_N, CoinVerdict, check_coins
from soma_desktop.network.types import Coin


def coin_verdict(network: Network | None, coins: Sequence[Coin], amount: int, fee: int, *,
                 amount_from_gas: bool = False) -> CoinVerdict:
    """What the coins already read say about paying `amount` + `fee` on this network."""
    top_n = 1 if network is None or network.is_sandbox else SDK_GAS_TOP_N
    return check_coins([c.balance for c in coins], amount, fee, amount_from_gas=amount_from_gas, top_n=top_n)


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
