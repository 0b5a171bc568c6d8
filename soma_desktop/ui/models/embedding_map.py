"""Embedding map: Active models and open targets on a deterministic 2-D PCA (ux.md §4).

Models are sized by √stake (their routing weight); hovering shows id, state and stake; clicking a model
selects it in the registry. 2-D positions distort cosine distance, which the caption says.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from soma_desktop.core.ids import short_id
from soma_desktop.network.types import ModelInfo, ModelState, Target
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.plots.projection import fit_pca

TARGET_BRUSH = (120, 120, 120, 110)
MODEL_BRUSH = (29, 78, 216, 220)
MINE_BRUSH = (21, 128, 61, 230)


def map_points(models: list[ModelInfo], targets: list[Target]) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(model xy [M,2], target xy [T,2], explained variance); all embeddings must share one dimension."""
    rows = [m.embedding for m in models] + [t.embedding for t in targets]
    projection = fit_pca(np.asarray(rows, dtype=np.float64)) if len(rows) >= 2 else None
    if projection is None:
        return np.zeros((0, 2)), np.zeros((0, 2)), (0.0, 0.0)
    xy = projection.apply(np.asarray(rows, dtype=np.float64))
    return xy[:len(models)], xy[len(models):], projection.explained


class EmbeddingMap(QWidget):
    sig_model_clicked = Signal(str)
    """Model id the user clicked."""

    def __init__(self, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph as pg

        self.hidden = hidden           # amounts are hidden (privacy setting)
        self.mine: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("embeddingMap")
        self.plot.setBackground(None)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.addLegend(offset=(10, 10))
        self.targets = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(*TARGET_BRUSH), name="open targets",
                                          hoverable=True, tip=self._tip)
        self.models = pg.ScatterPlotItem(pen=pg.mkPen("w", width=1), name="active models", hoverable=True,
                                         tip=self._tip)
        self.plot.addItem(self.targets)
        self.plot.addItem(self.models)
        self.models.sigClicked.connect(self._on_models_clicked)
        layout.addWidget(self.plot, 1)
        self.caption = QLabel()
        self.caption.setObjectName("mapCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.model_count = 0
        self.target_count = 0

    # ---- Public API --------------------------------------------------------------------------
    def show_data(self, models: list[ModelInfo], targets: list[Target], mine: set[str]) -> None:
        import pyqtgraph as pg

        active = [m for m in models if m.state is ModelState.ACTIVE and m.embedding]
        dim = len(active[0].embedding or ()) if active else (len(targets[0].embedding) if targets else 0)
        active = [m for m in active if len(m.embedding or ()) == dim]
        targets = [t for t in targets if len(t.embedding) == dim]
        model_xy, target_xy, explained = map_points(active, targets)
        self.model_count, self.target_count = len(model_xy), len(target_xy)
        hidden = self.hidden()
        self.targets.setData([{"pos": tuple(p), "data": f"Target {short_id(t.id)}\nthreshold "
                               f"{t.distance_threshold:.4f}\nreward {amount_text(t.reward_pool, hidden=hidden)}"}
                              for p, t in zip(target_xy, targets)])
        sizes = np.sqrt(np.array([max(m.stake, 1) for m in active[:len(model_xy)]], dtype=np.float64))
        scaled = 10 + 20 * (sizes / sizes.max()) if sizes.size else sizes
        spots = []
        for p, m, s in zip(model_xy, active, scaled):
            brush = MINE_BRUSH if m.owner in mine else MODEL_BRUSH
            spots.append({"pos": tuple(p), "size": float(s), "brush": pg.mkBrush(*brush),
                          "data": f"{m.title or short_id(m.id)}\n{m.id}\nstake {amount_text(m.stake, hidden=hidden)}"})
        self.models.setData(spots)
        ex1, ex2 = explained
        self.plot.setLabel("bottom", f"PCA 1 ({ex1 * 100:.1f} % variance)")
        self.plot.setLabel("left", f"PCA 2 ({ex2 * 100:.1f} % variance)")
        self.caption.setText(f"{self.model_count} active models (size ∝ √stake, green = yours) and "
                             f"{self.target_count} open targets. A 2-D projection distorts cosine distance: routing "
                             f"uses the exact distances in all dimensions.")

    # ---- Private -----------------------------------------------------------------------------
    @staticmethod
    def _tip(x: float, y: float, data: object) -> str:
        return str(data)

    def _on_models_clicked(self, _item, points, _event=None) -> None:
        if len(points):
            text = str(points[0].data())
            lines = text.split("\n")
            if len(lines) > 1:
                self.sig_model_clicked.emit(lines[1])
