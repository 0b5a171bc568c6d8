"""The transaction history table: what was sent, its fee and status, with the chain's reason on failure."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from soma_desktop.core.ids import short_id
from soma_desktop.ui.format import amount_text
from soma_desktop.wallet.history import TxKind, TxRecord, TxStatus

COLUMNS = ("Time", "Type", "Amount", "Fee", "Counterparty", "Status", "Digest")
KIND_TEXT = {
    TxKind.TRANSFER: "Sent", TxKind.PAY: "Paid", TxKind.MERGE: "Merged coins", TxKind.FAUCET: "Faucet",
    TxKind.STAKE: "Staked", TxKind.STAKE_MODEL: "Staked to model", TxKind.WITHDRAW_STAKE: "Withdrew stake",
    TxKind.CREATE_MODEL: "Created model", TxKind.COMMIT_MODEL: "Committed model",
    TxKind.REVEAL_MODEL: "Revealed model", TxKind.DEACTIVATE_MODEL: "Deactivated model",
    TxKind.SET_COMMISSION: "Set commission", TxKind.SUBMIT_DATA: "Submitted data",
    TxKind.CLAIM_REWARDS: "Claimed rewards", TxKind.OTHER: "Other",
}
STATUS_COLOR = {TxStatus.PENDING: "#b45309", TxStatus.CONFIRMED: "#15803d", TxStatus.FAILED: "#b91c1c"}


def status_text(record: TxRecord) -> str:
    if record.status is TxStatus.FAILED:
        return f"Failed: {record.reason}" if record.reason else "Failed"
    if record.status is TxStatus.PENDING:
        return "Checking… do not resend" if record.reason else "Pending"
    return "Confirmed"


class HistoryTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("historyTable")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.records: list[TxRecord] = []

    def set_records(self, records: list[TxRecord], hidden: bool) -> None:
        self.records = records
        self.setRowCount(len(records))
        for row, r in enumerate(records):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_ms / 1000))
            cells = (when, KIND_TEXT.get(r.kind, r.kind.value),
                     amount_text(r.amount, hidden=hidden),
                     "—" if r.fee is None else amount_text(r.fee, hidden=hidden),
                     short_id(r.counterparty) if r.counterparty else "", status_text(r),
                     (r.digest[:10] + "…") if r.digest else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 5:
                    item.setForeground(QColor(STATUS_COLOR[r.status]))
                    item.setToolTip(_status_tip(r))
                if col == 6 and r.digest:
                    item.setToolTip(r.digest)
                if col == 4 and r.counterparty:
                    item.setToolTip(r.counterparty)
                self.setItem(row, col, item)

    def status_texts(self) -> list[str]:
        return [item.text() for row in range(self.rowCount()) if (item := self.item(row, 5)) is not None]


def _status_tip(record: TxRecord) -> str:
    if record.status is TxStatus.CONFIRMED:
        return "Executed by the network."
    if record.status is TxStatus.FAILED:
        return record.reason or "Rejected by the network."
    return record.reason or "Sent; waiting for the network to confirm it."
