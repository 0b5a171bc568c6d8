"""Staking panel: the validators of the live network."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from soma_desktop.network.messages import describe_error
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.format import amount_text, bps_text
from soma_desktop.ui.panels.common import Banner, PanelHeader

COLUMNS = ("Validator", "Voting power", "Commission", "Pool balance")


class StakingPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Staking", "Validators secure the network; stake earns a share of "
                                                "their rewards from the epoch after you stake."))
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        ctx.epoch_changed.connect(self.refresh)
        ctx.network_changed.connect(lambda _n: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.ctx.network is None:
            return
        self.ctx.bridge.call(self.ctx.network.get_validators(), on_result=self._show,
                             on_error=lambda e: self.banner.show_message(describe_error(e), "error"), owner=self)

    def _show(self, validators) -> None:
        self.banner.clear_message()
        self.table.setRowCount(len(validators))
        for row, v in enumerate(validators):
            for col, text in enumerate((v.name or v.address, bps_text(v.voting_power), bps_text(v.commission_rate),
                                        amount_text(v.pool.soma_balance, decimals=2))):
                self.table.setItem(row, col, QTableWidgetItem(text))
