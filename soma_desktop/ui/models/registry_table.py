"""The model registry as a Qt table model, with a proxy that filters by owner ("mine"), state and text."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from soma_desktop.core.ids import short_id
from soma_desktop.network.types import ModelInfo, ModelState
from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.ui.format import amount_text, bps_text
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.widgets.list_table_model import ListTableModel

COLUMNS = ("Model", "State", "Owner", "Stake", "Commission", "Arch.", "Commit epoch", "Pending update",
           "Manifest URL", "Size")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
MODEL_ROLE = Qt.ItemDataRole.UserRole

_STATE_TEXT = {ModelState.CREATED: "Created", ModelState.PENDING: "Pending", ModelState.ACTIVE: "Active",
               ModelState.INACTIVE: "Inactive"}


def model_label(m: ModelInfo) -> str:
    return m.title or short_id(m.id)


def with_local_names(names: LocalNames, models: list[ModelInfo]) -> list[ModelInfo]:
    """The models with each local name as its title, so every table, legend and export shows it."""
    return [dataclasses.replace(m, title=names.name(m.id)) if names.name(m.id) else m for m in models]


def pending_text(m: ModelInfo) -> str:
    if m.pending_update is None:
        return "—"
    return f"reveal in epoch {reveal_epoch(m.pending_update.commit_epoch)}"


def _size_text(size: int | None) -> str:
    if size is None:
        return "—"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} B"


class RegistryTableModel(ListTableModel):
    columns = COLUMNS

    def __init__(self, parent=None):
        super().__init__(parent)
        self.models: list[ModelInfo] = []
        self.hide_amounts = False

    # ---- Public API --------------------------------------------------------------------------
    def set_models(self, models: list[ModelInfo]) -> None:
        self.beginResetModel()
        self.models = sorted(models, key=lambda m: (m.state is not ModelState.ACTIVE, m.create_epoch, m.id))
        self.endResetModel()

    def row_of(self, model_id: str) -> int:
        return next((i for i, m in enumerate(self.models) if m.id == model_id), -1)

    # ---- Qt model ----------------------------------------------------------------------------
    def rows(self) -> list:
        return self.models

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self.models[index.row()]
        col = index.column()
        if role == MODEL_ROLE:
            return m
        if role == SORT_ROLE:
            return self._sort_key(m, col)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(m, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (0, 2):
                return m.id if col == 0 else m.owner
            if col == 8 and m.manifest is not None:
                return m.manifest.url
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4, 5, 6, 9):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, m: ModelInfo, col: int) -> str:
        manifest = m.manifest
        return (
            model_label(m), _STATE_TEXT[m.state], short_id(m.owner),
            amount_text(m.stake, hidden=self.hide_amounts, decimals=4), bps_text(m.commission_rate),
            f"V{m.architecture_version}", "—" if m.commit_epoch is None else str(m.commit_epoch), pending_text(m),
            manifest.url if manifest else "—", _size_text(manifest.size if manifest else None),
        )[col]

    def _sort_key(self, m: ModelInfo, col: int) -> Any:
        numeric = {3: m.stake, 4: m.commission_rate, 5: m.architecture_version,
                   6: -1 if m.commit_epoch is None else m.commit_epoch,
                   9: m.manifest.size if m.manifest else -1}
        return numeric.get(col, self._text(m, col).lower())


class RegistryFilter(QSortFilterProxyModel):
    """Filters on owner (mine), state and a free-text match on id, title, owner and URL."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.mine: set[str] | None = None
        self.state: ModelState | None = None
        self.text = ""

    def set_mine(self, addresses: set[str] | None) -> None:
        self.beginFilterChange()
        self.mine = addresses
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_state(self, state: ModelState | None) -> None:
        self.beginFilterChange()
        self.state = state
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        source = self.sourceModel()
        assert isinstance(source, RegistryTableModel)
        m: ModelInfo = source.models[row]
        if self.mine is not None and m.owner not in self.mine:
            return False
        if self.state is not None and m.state is not self.state:
            return False
        if self.text:
            hay = " ".join([m.id, m.title or "", m.owner, m.manifest.url if m.manifest else ""]).lower()
            return self.text in hay
        return True
