"""Pinned colour scales shared by every pane so runs stay comparable (ux.md §3).

Sequential: viridis (colour-blind safe) over a pinned bits range, default 0–8 bits.
Diverging: blue (A better) – white – red (A worse) for A − B, clamped at ±`DIFF_CLAMP_BITS`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

DEFAULT_RANGE_BITS = (0.0, 8.0)
DIFF_CLAMP_BITS = 4.0
NO_VALUE = QColor(150, 150, 150, 90)
MODEL_COLORS = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#be123c")

_SEQUENTIAL = pg.colormap.get("viridis").getLookupTable(nPts=256, alpha=False)
_DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (178, 24, 43)]).getLookupTable(
    nPts=256, alpha=False)


def lut_indices(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """0..255 per value (NaN → -1) on the pinned range."""
    values = np.asarray(values, dtype=np.float64)
    span = max(high - low, 1e-9)
    with np.errstate(invalid="ignore"):
        idx = np.clip((values - low) / span * 255.0, 0, 255)
    out = np.where(np.isnan(values), -1, idx).astype(np.int64)
    return out


def colors_for(values: np.ndarray, *, diff: bool = False, low: float = 0.0, high: float = 8.0) -> list[QColor]:
    """One QColor per value: viridis on [low, high] bits, or the diverging map for differences."""
    if diff:
        idx, lut = lut_indices(values, -DIFF_CLAMP_BITS, DIFF_CLAMP_BITS), _DIVERGING
    else:
        idx, lut = lut_indices(values, low, high), _SEQUENTIAL
    out = []
    for i in idx.tolist():
        out.append(NO_VALUE if i < 0 else QColor(*(int(c) for c in lut[i])))
    return out


def text_color_for(background: QColor) -> QColor:
    """White text on dark cells (brightness < 0.6), black otherwise (CircuitsVis rule)."""
    brightness = (0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF())
    if background.alpha() < 128:
        return QColor(0, 0, 0, 0)  # "use the palette text colour"
    return QColor("white") if brightness < 0.6 else QColor("black")


def legend_gradient(diff: bool = False, steps: int = 9) -> list[QColor]:
    lut = _DIVERGING if diff else _SEQUENTIAL
    return [QColor(*(int(c) for c in lut[int(i)])) for i in np.linspace(0, 255, steps)]
