"""Competition table (per file: each model's network numbers, winner as the network picks it) and the
target table (cosine distance of the winner's data embedding to each target vs its threshold)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from soma_desktop.services.evaluate.results import FileTrack, cosine_distance, would_hit

WINNER_BG = QColor(34, 197, 94, 70)


def fmt(value: float | None, digits: int = 6) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _item(text: str, tip: str = "", align_right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


class CompetitionTable(QTableWidget):
    RESERVED_ROWS = 2
    HEADERS = ("Model", "Network loss", "Cross-entropy", "SIGReg", "Bits per byte", "Status")
    TIPS = ("", "mean over batches of CE_b + 0.02·SIGReg_b — what the network compares (lowest wins)",
            "mean of CE_b; PAD rows count in the denominator like the network",
            "SIGReg (sketched isotropic Gaussian regulariser): how far the model's internal representations are "
            "from an even spread; it penalises collapsed embeddings. Lower is better; the network adds 0.02 × "
            "this to the cross-entropy. Shown before the 0.02 coefficient.",
            "Σ NLL / scored bytes / ln 2 — readable, but not the network's loss", "")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        for column, tip in enumerate(self.TIPS):
            if tip:
                self.horizontalHeaderItem(column).setToolTip(tip)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAccessibleName("Competition table")
        self._fit_height()

    def show_file(self, track: FileTrack | None) -> None:
        self.setRowCount(0 if track is None else len(track.models))
        if track is None:
            self._fit_height()
            return
        for row, model in enumerate(track.models):
            winner = track.winner == row
            name = ("★ " if winner else "") + model.ref.label + (" — winner" if winner else "")
            cells = [_item(name, model.weights_path or model.ref.weights, align_right=False),
                     _item(fmt(model.loss), "partial: current batch treated as the last" if not model.final else ""),
                     _item(fmt(model.cross_entropy)), _item(fmt(model.sigreg, 5)),
                     _item(fmt(model.bits_per_byte, 4)), _item(model.status, align_right=False)]
            for column, cell in enumerate(cells):
                if winner:
                    cell.setBackground(QBrush(WINNER_BG))
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                self.setItem(row, column, cell)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._fit_height()

    def _fit_height(self) -> None:
        """Room for the rows shown (up to 6), never less than RESERVED_ROWS: the first results of a usual run
        fill reserved space instead of re-laying out (and repainting) the whole panel below the table."""
        shown = min(max(self.rowCount(), self.RESERVED_ROWS), 6)
        rows = sum(self.rowHeight(r) for r in range(min(self.rowCount(), shown)))
        rows += max(0, shown - self.rowCount()) * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows + 6)


@dataclass(frozen=True)
class TargetRow:
    id: str
    status: str
    embedding: np.ndarray
    threshold: float
    assigned: tuple[str, ...]   # model titles KNN routing assigned to the target


class TargetTable(QTableWidget):
    HEADERS = ("Target", "Status", "Distance", "Threshold", "Verdict", "Assigned models (KNN)")
    sig_target_selected = Signal(str)
    """Target id of the selected row ('' when none)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.horizontalHeaderItem(2).setToolTip("1 − cos(winner's data embedding, target), exact, f32")
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.setSortingEnabled(False)
        self.setWordWrap(False)
        self.setAccessibleName("Distance to targets")
        self.itemSelectionChanged.connect(self._on_selection_changed)
        self.distances: dict[str, float] = {}

    def show_targets(self, targets: list[TargetRow], embedding: np.ndarray | None, label: str) -> None:
        """Rows sorted by distance from `embedding` (the winner's, or the leading model's while partial)."""
        selected = self.selected_id()
        self.distances = {t.id: cosine_distance(embedding, t.embedding) if embedding is not None else float("nan")
                          for t in targets}
        ordered = sorted(targets, key=lambda t: (np.isnan(self.distances[t.id]), self.distances[t.id]))
        self.blockSignals(True)
        self.setRowCount(len(ordered))
        for row, target in enumerate(ordered):
            distance = self.distances[target.id]
            hit = would_hit(distance, target.threshold)
            verdict = "—" if np.isnan(distance) else ("would hit" if hit else "too far")
            cells = [_item(target.id[:10] + "…", target.id, align_right=False),
                     _item(target.status, align_right=False),
                     _item(fmt(distance)), _item(fmt(target.threshold)), _item(verdict, align_right=False),
                     _item(", ".join(target.assigned) or "—", "\n".join(target.assigned), align_right=False)]
            cells[0].setData(Qt.ItemDataRole.UserRole, target.id)
            cells[4].setToolTip(f"distance with {label}'s data embedding vs the target's threshold")
            if hit:
                cells[4].setForeground(QBrush(QColor(21, 128, 61)))
                cells[4].setText("✔ " + verdict)
            for column, cell in enumerate(cells):
                self.setItem(row, column, cell)
            if target.id == selected:
                self.selectRow(row)
        self.blockSignals(False)
        self.resizeColumnsToContents()
        self.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

    def selected_id(self) -> str:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows:
            return ""
        item = self.item(rows[0].row(), 0)
        return "" if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def select_target(self, target_id: str) -> None:
        for row in range(self.rowCount()):
            if self.item(row, 0).data(Qt.ItemDataRole.UserRole) == target_id:
                self.selectRow(row)
                self.scrollToItem(self.item(row, 0))
                return

    def _on_selection_changed(self) -> None:
        self.sig_target_selected.emit(self.selected_id())
