"""Every account's transactions as the chain recorded them: incoming transfers included, counterparties named.

Reads every account's transactions through `WalletService.chain_history` on the bridge's loop. On soma-sdk
networks that history is rebuilt from the objects the accounts hold now (network/sdk/history.py), so a note says
what it misses; networks that cannot list them get a plain note instead.
"""

from __future__ import annotations

import csv
import io
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.network.account_history import AccountTx, Direction
from soma_desktop.network.errors import Unsupported
from soma_desktop.network.messages import describe_error
from soma_desktop.services.chain_history import Row, received_total, signed_amount
from soma_desktop.services.wallet import WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.local_names import LocalNames, address_label
from soma_desktop.ui.theme import MUTED_TEXT_STYLE
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.empty_state import attach_empty_state

__all__ = ["NO_HISTORY_NOTE", "SDK_HISTORY_NOTE", "ChainHistoryView", "signed_amount"]

COLUMNS = ("Time", "Account", "Direction", "What", "Counterparty", "Amount", "Fee", "Status", "Digest")
KIND_TEXT = {
    "TransferCoin": "Transfer", "PayCoins": "Payment", "MergeCoins": "Merge coins",
    "TransferObjects": "Transfer objects", "AddStake": "Stake",
    "AddStakeToModel": "Stake to model", "WithdrawStake": "Withdraw stake", "CreateModel": "Create model",
    "CommitModel": "Commit model", "RevealModel": "Reveal model", "DeactivateModel": "Deactivate model",
    "SetModelCommissionRate": "Set commission", "SubmitData": "Submit data", "ClaimRewards": "Claim rewards",
}
KIND_TEXT.update({"CoinsReceived": "Coins received", "ObjectsReceived": "Objects received",
                  "Transaction": "Transaction"})
DIRECTION_TEXT = {Direction.IN: "Received", Direction.OUT: "Sent", Direction.SELF: "To yourself"}
DIRECTION_COLOR = {Direction.IN: "#15803d", Direction.OUT: "#b45309", Direction.SELF: "#6b7280"}
NO_HISTORY_NOTE = ("This network's SDK (soma-sdk 0.1.15) cannot list an account's transactions, so incoming "
                   "transfers are not shown. <b>Sent from this app</b> lists what this app sent.")
SDK_HISTORY_NOTE = ("soma-sdk 0.1.15 cannot list an account's transactions, so this list is rebuilt from the coins "
                    "and stakes your accounts hold now, plus what this app sent since it started. Funds received "
                    "and already spent or merged, and transactions sent from other software, are not shown; "
                    "amounts of sent transactions and times are not available (the epoch is shown instead). "
                    "<b>Sent from this app</b> lists everything this app sent.")


def _time_text(tx: AccountTx) -> str:
    """soma-sdk's get_transaction gives no time (timestamp_ms 0): show the epoch instead."""
    if not tx.timestamp_ms:
        return f"Epoch {tx.epoch}"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(tx.timestamp_ms / 1000))


def _amount_cell(amount: int | None, hidden: bool) -> str:
    if amount is None:
        return "—"
    sign = "+" if amount > 0 else "−" if amount < 0 else ""
    return sign + amount_text(abs(amount), hidden=hidden)


class ChainHistoryView(QWidget):
    """A table of (account, AccountTx) rows for every account; refresh() reloads from the chain."""

    def __init__(self, *, session: WalletSession, wallet: WalletService, bridge: AsyncBridge, book: LocalNames,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.wallet = wallet
        self.bridge = bridge
        self.book = book
        self.rows: list[Row] = []
        self.supported = True
        self._in_flight = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("chainHistoryTable")
        self.table.setAccessibleName("Transactions on the chain")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        attach_empty_state(self.table, "Nothing here yet. Incoming and outgoing transactions of all your accounts "
                                       "appear here. Press Receive… to show your address.")
        row = QHBoxLayout()
        self.note = QLabel()
        self.note.setObjectName("chainHistoryNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(MUTED_TEXT_STYLE)
        row.addWidget(self.note, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("chainHistoryRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("chainHistoryExport")
        self.export_button.setEnabled(False)
        self.export_button.setToolTip("No transactions to export yet")
        row.addWidget(self.refresh_button)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        book.sig_changed.connect(self._render)

    # ---- Public API ----------------------------------------------------------------------------
    def refresh(self) -> None:
        facts = self.wallet.facts()
        accounts = self.session.accounts() if self.session.is_unlocked() else []
        if facts is not None and not facts.lists_history:
            self._show_unsupported()
            return
        if facts is None or not accounts or self._in_flight:
            return
        self._in_flight = True
        self.bridge.call(self.wallet.chain_history([a.address for a in accounts]), on_result=self._on_loaded,
                         on_error=self._on_failed, owner=self, label="account history")

    def clear(self) -> None:
        self.rows = []
        self._render()

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["timestamp_ms", "account", "direction", "kind", "counterparty", "amount_shannons",
                         "fee_shannons", "status", "digest"])
        for account, tx in self.rows:
            writer.writerow([tx.timestamp_ms, account, tx.direction, tx.kind, tx.counterparty or "",
                             "" if tx.amount is None else signed_amount(tx), tx.fee, tx.status, tx.digest])
        return out.getvalue()

    # ---- Private -------------------------------------------------------------------------------
    def _show_unsupported(self) -> None:
        self.supported = False
        self.rows = []
        self._render()

    def _on_loaded(self, rows: list[Row]) -> None:
        """Already merged and sorted newest first by the service."""
        self._in_flight = False
        self.supported = True
        self.rows = rows
        self._render()

    def _on_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        if isinstance(exc, Unsupported):
            self._show_unsupported()
            return
        self.note.setText(f"Could not load the history: {describe_error(exc)} Press Refresh to try again.")

    def _render(self) -> None:
        own = {a.address: a.name for a in self.session.accounts()} if self.session.is_unlocked() else {}
        hidden = self.session.amounts_hidden()
        self.table.setRowCount(len(self.rows))
        for row, (account, tx) in enumerate(self.rows):
            amount = signed_amount(tx)
            amount_cell = _amount_cell(amount, hidden)
            status = "Confirmed" if tx.status == "success" else f"Failed: {tx.error or 'rejected'}"
            cells = (_time_text(tx),
                     own.get(account, account[:10]), DIRECTION_TEXT.get(tx.direction, tx.direction),
                     KIND_TEXT.get(tx.kind, tx.kind), self._counterparty(tx, own), amount_cell,
                     amount_text(tx.fee, hidden=hidden) if tx.fee else "—", status, tx.digest[:10] + "…")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 2:
                    item.setForeground(QColor(DIRECTION_COLOR.get(tx.direction, "#6b7280")))
                if col == 8:
                    item.setToolTip(tx.digest)
                if col == 5 and amount is not None:
                    item.setToolTip(f"{amount:,} shannons")
                self.table.setItem(row, col, item)
        self.export_button.setEnabled(bool(self.rows))
        self.export_button.setToolTip("" if self.rows else "No transactions to export yet")
        if not self.supported:
            self.note.setText(NO_HISTORY_NOTE)
        elif not self.rows:
            self.note.setText("No transactions yet. Press <b>Receive…</b> to show your address"
                              + (", or get SOMA from the faucet." if self._on_sandbox() else "."))
        else:
            received = received_total(self.rows)
            self.note.setText(f"{len(self.rows)} transaction(s) of {len(own)} account(s); received "
                              f"{amount_text(received, hidden=hidden)} in all."
                              + ("" if self._on_sandbox() else "<br>" + SDK_HISTORY_NOTE))

    def _counterparty(self, tx: AccountTx, own: dict[str, str]) -> str:
        if tx.counterparty is None:
            return ""
        if self._on_sandbox() and tx.counterparty == self._faucet_address():
            return "Sandbox faucet"
        return address_label(self.book, tx.counterparty, own)

    def _on_sandbox(self) -> bool:
        facts = self.wallet.facts()
        return facts is not None and facts.is_sandbox

    def _faucet_address(self) -> str:
        from soma_desktop.network.sandbox import genesis

        return genesis.FAUCET_ADDRESS

