"""Embedding map: targets, model embeddings and the evaluated file's data embeddings in a 2-D PCA.

The projection is fitted on targets + models only (deterministic), so data points move without the
axes moving while a run streams. 2-D positions distort cosine distance: the exact numbers live in the
target table beside the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from soma_desktop.ui.plots.projection import Projection, fit_pca
from soma_desktop.ui.theme import MUTED_TEXT_STYLE

STATUS_COLORS = {"open": (22, 163, 74), "filled": (100, 116, 139), "expired": (217, 119, 6),
                 "claimable": (217, 119, 6)}


@dataclass(frozen=True)
class MapPoint:
    kind: str                  # target | model | data
    key: str                   # target id / model id / model label
    vector: np.ndarray
    tooltip: str
    color: tuple[int, int, int]
    size: float = 9.0


class EmbeddingMap(QWidget):
    sig_target_clicked = Signal(str)
    """Target id the user clicked."""

    NOTE = ("PCA fitted on targets and models (deterministic). 2-D positions distort cosine distance — "
            "the exact distances are in the table.")
    GROUPS = (("Targets (green open, grey filled, amber expired)", "target", "o", (22, 163, 74)),
              ("Models (size ∝ √stake)", "model", "s", (124, 58, 237)),
              ("This file's data embedding, per model", "data", "star", (37, 99, 235)))

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAccessibleName("Embedding map")
        self._apply_palette_to_plot()
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.plot.addLegend(offset=(10, 10))
        self.plot.plotItem.legend.setLabelTextColor(self.palette().text().color())
        self.note = QLabel(self.NOTE)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(MUTED_TEXT_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        self.projection: Projection | None = None
        self._fit_key: tuple = ()
        self._items: list[pg.ScatterPlotItem] = []
        self.selected_target = ""

    def _apply_palette_to_plot(self) -> None:
        from soma_desktop.ui.plots.loss_plot import style_plot

        style_plot(self.plot, self.palette())
        legend = self.plot.plotItem.legend
        if legend is not None:
            legend.setLabelTextColor(self.palette().text().color())

    def changeEvent(self, event: QEvent) -> None:
        """Follow a light ↔ dark switch while the app runs (pyqtgraph keeps the colours it was given)."""
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette_to_plot()
        super().changeEvent(event)

    # ---- Public API --------------------------------------------------------------------------------
    def set_points(self, anchors: list[MapPoint], data: list[MapPoint]) -> None:
        """`anchors` (targets and models) define the projection; `data` points are placed in it."""
        key = tuple((p.kind, p.key) for p in anchors)
        if key != self._fit_key:
            self.projection = fit_pca(np.stack([p.vector for p in anchors])) if anchors else None
            self._fit_key = key
        for item in self._items:
            self.plot.removeItem(item)
        self.plot.plotItem.legend.clear()
        self._items = []
        if self.projection is None:
            self.note.setText("Not enough targets or models with this embedding size to draw a map.")
            return
        self.note.setText(self.NOTE)
        ex = self.projection.explained
        self.plot.setLabel("bottom", f"PCA 1 ({ex[0] * 100:.0f} % variance)")
        self.plot.setLabel("left", f"PCA 2 ({ex[1] * 100:.0f} % variance)")
        for name, kind, symbol, legend_color in self.GROUPS:
            points = [p for p in anchors + data if p.kind == kind]
            if not points:
                continue
            xy = self.projection.apply(np.stack([p.vector for p in points]))
            spots = [{"pos": (float(x), float(y)), "data": p, "size": p.size * (1.6 if p.key == self.selected_target
                                                                               else 1.0),
                      "brush": pg.mkBrush(*p.color, 200), "symbol": symbol,
                      "pen": pg.mkPen("k" if p.key == self.selected_target else (255, 255, 255, 120),
                                      width=2 if p.key == self.selected_target else 1)}
                     for (x, y), p in zip(xy, points)]
            item = pg.ScatterPlotItem(spots=spots, hoverable=True, name=name, symbol=symbol,
                                      brush=pg.mkBrush(*legend_color), pen=pg.mkPen(255, 255, 255, 120))
            item.sigHovered.connect(self._on_item_hovered)
            item.sigClicked.connect(self._on_item_clicked)
            self.plot.addItem(item)
            self._items.append(item)

    # ---- Private -----------------------------------------------------------------------------------
    def _on_item_hovered(self, _item, points, _event) -> None:
        if len(points):
            QToolTip.showText(QCursor.pos(), "\n\n".join(p.data().tooltip for p in points[:3]), self)

    def _on_item_clicked(self, _item, points, _event) -> None:
        for point in points:
            if point.data().kind == "target":
                self.sig_target_clicked.emit(point.data().key)
                return
