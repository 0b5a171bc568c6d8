"""Models panel: every model registered on the live network."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from soma_desktop.core.ids import short_id
from soma_desktop.network.messages import describe_error
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.format import amount_text, bps_text
from soma_desktop.ui.panels.common import Banner, PanelHeader

COLUMNS = ("Model", "State", "Owner", "Stake", "Commission", "Commit epoch")


class ModelsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Models", "All models on this network. Active models are routed to "
                                               "targets by stake-weighted nearest-neighbour search."))
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
        self.ctx.bridge.call(self.ctx.network.list_models(), on_result=self._show,
                             on_error=lambda e: self.banner.show_message(describe_error(e), "error"), owner=self)

    def _show(self, models) -> None:
        self.banner.clear_message()
        self.table.setRowCount(len(models))
        for row, m in enumerate(models):
            cells = (m.title or short_id(m.id), m.state.value, short_id(m.owner), amount_text(m.stake, decimals=4),
                     bps_text(m.commission_rate), "—" if m.commit_epoch is None else str(m.commit_epoch))
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
