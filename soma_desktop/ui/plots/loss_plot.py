"""Per-byte loss over byte offset (pyqtgraph): main plot + overview strip, crosshair, zoom, smoothing.

Chunk starts (offsets 0, 1024, …) have no value: they are NaN gaps drawn with connect='finite' and a
thin tick at the bottom. The y range is set here, not by pyqtgraph's auto-range: it covers the drawn points
rounded out to a 1-2-5 step, so streamed updates rarely move it (each move re-renders the axis and grid).
Curves receive only the visible range, peak-decimated (PeakLevels) when zoomed out, so streaming updates
and paints stay cheap on 1 MiB; the smoothed overlay is a gap-free windowed mean drawn over the raw series,
never replacing it.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from soma_desktop.engine.contract import SEQ_LEN
from soma_desktop.ui.plots.decimate import PeakLevels, stride_points

SMOOTH_WINDOW = 64
OVERVIEW_POINTS = 2000
MAX_TICKS = 64
EMPTY_Y_RANGE = (0.0, 8.0)    # before any value arrives: a typical per-byte loss in bits
# Curves get their points from here (already decimated, values of a few bits): pyqtgraph's dynamic range limit
# would rebuild every curve's path on each y-range change for nothing.
STATIC = {"dynamicRangeLimit": None}


class _WheelGuardViewBox(pg.ViewBox):
    """Zoom with the wheel only while Ctrl or Alt is held, so the wheel keeps scrolling the page."""

    def wheelEvent(self, ev, axis=None):  # noqa: N802
        if ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            super().wheelEvent(ev, axis=0)
        else:
            ev.ignore()


def smoothed(values: np.ndarray, window: int = SMOOTH_WINDOW) -> np.ndarray:
    """Centred windowed mean ignoring NaN, O(n) with cumulative sums over a zero-padded copy (slices only,
    no gathers); gap-free: 0 where a window holds no value."""
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    found = np.flatnonzero(~np.isnan(v))
    if found.size == 0:
        return np.zeros(n)
    half = window // 2
    # Only the span that holds values (plus a window) can be non-zero: while a 1 MiB file streams in, the
    # first draw smooths one chunk, not a million NaNs (it stalled the GUI ~100 ms).
    lo, hi = max(0, int(found[0]) - half - 1), min(n, int(found[-1]) + half + 2)
    if lo > 0 or hi < n:
        out = np.zeros(n)
        out[lo:hi] = smoothed(v[lo:hi], window)
        return out
    valid = ~np.isnan(v)
    padded = np.zeros(n + window)
    padded[half:half + n] = np.where(valid, v, 0.0)
    counts = np.zeros(n + window)
    counts[half:half + n] = valid
    csum = np.concatenate(([0.0], np.cumsum(padded)))
    ccount = np.concatenate(([0.0], np.cumsum(counts)))
    total = csum[window:window + n] - csum[:n]
    count = ccount[window:window + n] - ccount[:n]
    return np.divide(total, count, out=np.zeros(n), where=count > 0.5)


def overview_bins(count: int, points: int = OVERVIEW_POINTS) -> np.ndarray:
    """First index of each overview bin (one bin per point for short series)."""
    if count <= points:
        return np.arange(count, dtype=np.int64)
    return np.linspace(0, count, points, endpoint=False).astype(np.int64)


def overview_series(values: np.ndarray, points: int = OVERVIEW_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin maximum (peak) of the smoothed series for the overview strip, x = each bin's first offset."""
    smooth = smoothed(values)
    bins = overview_bins(smooth.size, points)
    return bins.astype(np.float64), (np.maximum.reduceat(smooth, bins) if smooth.size else smooth)


def y_range_for(low: float, high: float) -> tuple[float, float]:
    """A y range holding [low, high] and 0, rounded out to a 1-2-5 step of about 1/8 of the span, with the
    top strictly above the data: values that move a little while streaming keep the same range."""
    low, high = min(low, 0.0), max(high, 0.0)
    raw = (high - low) / 8 or 0.125
    base = 10.0 ** math.floor(math.log10(raw))
    step = next(base * m for m in (1, 2, 5, 10) if base * m >= raw)
    top = (math.floor(high / step) + 1) * step
    bottom = 0.0 if low >= 0 else -(math.floor(-low / step) + 1) * step
    return bottom, top


def _blend(color: str, base, weight: float):
    """`color` mixed with the background (weight = share of `color`), as an opaque QColor."""
    from PySide6.QtGui import QColor

    c = QColor(color)
    mix = [round(weight * own + (1 - weight) * under)
           for own, under in zip((c.red(), c.green(), c.blue()), (base.red(), base.green(), base.blue()))]
    return QColor(*mix)


def style_plot(widget: pg.PlotWidget, palette) -> None:
    """Plot colours from the Qt palette so light and dark themes both read well."""
    widget.setBackground(palette.base().color())
    text = palette.text().color()
    for axis in ("left", "bottom"):
        widget.getAxis(axis).setPen(pg.mkPen(text))
        widget.getAxis(axis).setTextPen(pg.mkPen(text))


class LossPlot(QWidget):
    # ---- Signals -----------------------------------------------------------------------------------
    sig_offset_hovered = Signal(object)
    """Byte offset under the crosshair (-1 outside the data)."""
    sig_offset_clicked = Signal(object)
    """Byte offset the user clicked in the main plot."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.data_size = -1
        self.unit = "bits"
        self._style: tuple = ()
        self._overview_curves: list[pg.PlotDataItem] = []
        self._smooth: list[np.ndarray] = []
        self._overview_y: list[np.ndarray] = []
        self._bins = np.zeros(0, dtype=np.int64)
        self._values: list[np.ndarray] = []
        self._levels: list[PeakLevels] = []
        self._has_smooth = False
        self._series: list[tuple[str, np.ndarray, str]] = []
        self._bounds: list[tuple[float, float] | None] = []    # per series: min and max of the drawn points
        self._y_range = EMPTY_Y_RANGE
        self._range_moves = 0
        self.main = pg.PlotWidget(viewBox=_WheelGuardViewBox())
        self.main.setAccessibleName("Per-byte loss plot")
        self.main.setMouseEnabled(x=True, y=False)
        self.main.showGrid(x=False, y=True, alpha=0.15)   # vertical grid lines double the paint time
        self.main.setLabel("bottom", "byte offset")
        self.main.setLabel("left", "bits / byte")    # laid out now: showing it first at Run re-lays out the plot
        self.main.enableAutoRange(axis="y", enable=False)     # _fit_y sets it
        self.main.setYRange(*self._y_range, padding=0)
        self._steady_left_axis()
        self.overview = pg.PlotWidget()
        self.overview.setMaximumHeight(60)
        self.overview.setMouseEnabled(x=False, y=False)
        self.overview.hideAxis("left")
        self.overview.setMenuEnabled(False)
        for axis in [plot.getAxis(name) for plot in (self.main, self.overview)
                     for name in ("left", "bottom", "right", "top")]:
            # Unitless labels never get an SI prefix, but the check re-lays out the label on every range change.
            axis.enableAutoSIPrefix(False)
        self.region = pg.LinearRegionItem(brush=pg.mkBrush(59, 130, 246, 40))
        self.region.setZValue(10)
        self.overview.addItem(self.region, ignoreBounds=True)
        self.region.sigRegionChanged.connect(self._on_region_changed)
        self.main.sigXRangeChanged.connect(self._on_main_range_changed)
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((120, 120, 120), width=1))
        self.label = pg.TextItem(anchor=(0, 0), color=(60, 60, 60), fill=pg.mkBrush(255, 255, 255, 210))
        self.main.addItem(self.vline, ignoreBounds=True)
        self.main.addItem(self.label, ignoreBounds=True)
        self.label.hide()
        self._mouse_proxy = pg.SignalProxy(self.main.scene().sigMouseMoved, rateLimit=60, slot=self._on_mouse_moved)
        self.main.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._curves: list[pg.PlotDataItem] = []
        self._ticks = pg.PlotDataItem(connect="pairs", pen=pg.mkPen((150, 150, 150), width=1), **STATIC)
        self.main.addItem(self._ticks)
        self._apply_palette()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.main, 1)
        layout.addWidget(self.overview)
        layout.addLayout(self._zoom_buttons())

    def _steady_left_axis(self) -> None:
        """A fixed-width left axis kept in a pixmap: new tick labels never re-lay out the whole plot, and the
        axis with its grid lines is rendered only when its range changes, not on every curve update."""
        axis = self.main.getAxis("left")
        axis.setStyle(autoExpandTextSpace=False, tickTextWidth=self.fontMetrics().horizontalAdvance("−100.0"))
        axis.setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def _zoom_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, tip, slot in (("+", "Zoom in (Ctrl+wheel also zooms)", lambda: self.zoom(0.5)),
                                ("−", "Zoom out", lambda: self.zoom(2.0)),
                                ("Reset", "Show the whole file", self.reset_zoom)):
            button = QToolButton(text=text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        return row


    def _apply_palette(self) -> None:
        style_plot(self.main, self.palette())
        style_plot(self.overview, self.palette())
        self.label.fill = pg.mkBrush(self.palette().base().color())
        self.label.setColor(self.palette().text().color())

    def changeEvent(self, event: QEvent) -> None:
        """Light ↔ dark while the app runs: pyqtgraph keeps the colours it was given, so give new ones."""
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    # ---- Public API --------------------------------------------------------------------------------
    def set_series(self, size: int, series: list[tuple[str, np.ndarray, str]], *, unit: str = "bits",
                   diff: bool = False, smooth: bool = True,
                   changed: list[tuple[int, int] | None] | None = None) -> None:
        """Draw one curve per (label, per-offset values, colour); values have size + 1 entries.

        `changed` (streaming) gives, per series, the offset range [lo, hi) that differs from the previous
        call, or None when that series did not change; only those curves are touched, and their smoothed
        overlay and overview only in that range. `changed=None` redraws everything."""
        new_file = size != self.data_size
        same_shape = (not new_file and len(series) == len(self._series)
                      and [(lb, c) for lb, _v, c in series] == [(lb, c) for lb, _v, c in self._series]
                      and (unit, diff, smooth) == self._style and bool(self._curves))
        self.data_size, self.unit, self._series, self._style = size, unit, series, (unit, diff, smooth)
        if same_shape:
            self._update_curves(series, smooth, changed)
        else:
            self._rebuild_curves(series, unit, smooth, display=not new_file)   # a new file: reset_zoom draws
        ylabel = f"A − B ({unit})" if diff else f"{unit} / byte"
        if self.main.getAxis("left").labelText != ylabel:
            self.main.setLabel("left", ylabel)
        if new_file:
            moves = self._range_moves
            self.reset_zoom()                     # a range change displays every curve ...
            if self._range_moves == moves:        # ... unless the range stayed as it was
                for index in range(len(series)):
                    self._display(index)
        self._fit_y(force_ticks=not same_shape)

    def _rebuild_curves(self, series, unit: str, smooth: bool, display: bool = True) -> None:
        for curve in self._curves:
            self.main.removeItem(curve)
        for curve in self._overview_curves:
            self.overview.removeItem(curve)
        self._curves, self._overview_curves, self._smooth, self._overview_y = [], [], [], []
        self._values, self._levels, self._has_smooth = [], [], smooth
        self._bounds = [None] * len(series)
        base = self.palette().base().color()
        empties = []
        for label, values, color in series:
            raw_color = _blend(color, base, 0.45) if smooth else color   # opaque: no alpha blending cost
            # Curves hold only what is visible (PeakLevels decimates), so they are cheap to build and update.
            raw = pg.PlotDataItem(connect="finite", pen=pg.mkPen(raw_color, width=1), name=f"{label} ({unit})",
                                  **STATIC)
            self.main.addItem(raw)
            self._curves.append(raw)
            empty = not np.isfinite(values).any()
            empties.append(empty)
            self._smooth.append(np.zeros(values.size) if empty else smoothed(values))
            self._values.append(values)
            self._levels.append(PeakLevels(values, empty=empty))
            if smooth:
                line = pg.PlotDataItem(pen=pg.mkPen(color, width=2), skipFiniteCheck=True, **STATIC)
                self.main.addItem(line)
                self._curves.append(line)
        self._bins = overview_bins(self.data_size + 1)
        for (_label, _values, color), curve_smooth, empty in zip(series, self._smooth, empties):
            # An empty series (a run just started) has an all-zero overview: no 1 MiB scan for it.
            oy = (np.maximum.reduceat(curve_smooth, self._bins) if curve_smooth.size and not empty
                  else np.zeros(self._bins.size))
            self._overview_y.append(oy)
            self._overview_curves.append(self.overview.plot(self._bins.astype(np.float64), oy,
                                                            pen=pg.mkPen(color, width=1), **STATIC))
        for index in range(len(series) if display else 0):
            self._display(index)

    def _update_curves(self, series, smooth: bool, changed: list[tuple[int, int] | None] | None) -> None:
        n = self.data_size + 1
        for index, (_label, values, _color) in enumerate(series):
            span = (0, n) if changed is None else changed[index]
            if span is None:
                continue
            lo, hi = max(0, span[0]), min(n, span[1])
            if hi <= lo:
                continue
            self._values[index] = values
            self._levels[index].update(values, lo, hi)
            a, b = max(0, lo - SMOOTH_WINDOW), min(n, hi + SMOOTH_WINDOW)        # smoothed values that moved
            s0, s1 = max(0, a - SMOOTH_WINDOW), min(n, b + SMOOTH_WINDOW)          # input they depend on
            cache = self._smooth[index]
            cache[a:b] = smoothed(values[s0:s1])[a - s0:b - s0]
            i0 = max(0, int(np.searchsorted(self._bins, a, side="right")) - 1)
            i1 = int(np.searchsorted(self._bins, b, side="left"))
            start = int(self._bins[i0])
            stop = int(self._bins[i1]) if i1 < self._bins.size else n
            edges = self._bins[i0:i1 + 1]
            part = np.maximum.reduceat(cache[start:stop], edges[edges < stop] - start)
            self._overview_y[index][i0:i0 + part.size] = part
            self._overview_curves[index].setData(self._bins.astype(np.float64), self._overview_y[index])
            self._display(index)

    def _display(self, index: int) -> None:
        """Give series `index`'s curves only the points of the visible range (decimated when zoomed out)."""
        lo, hi = self.main.viewRange()[0]
        lo, hi = max(0, int(lo) - 1), min(self.data_size + 1, int(hi) + 2)
        step = 2 if self._has_smooth else 1
        x, y = self._levels[index].points(self._values[index], lo, hi)
        finite = y[np.isfinite(y)]
        self._bounds[index] = (float(finite.min()), float(finite.max())) if finite.size else None
        if not finite.size:       # no value in view (e.g. a model not scored yet): nothing to draw or to paint
            for curve in self._curves[index * step:(index + 1) * step]:
                curve.setData([], [])
            return
        self._curves[index * step].setData(x, y, connect="finite")
        if self._has_smooth:
            self._curves[index * step + 1].setData(*stride_points(self._smooth[index], lo, hi),
                                                   skipFiniteCheck=True)

    def visible_series(self, index: int) -> np.ndarray:
        """The full-resolution values of series `index` (what hover and exports read)."""
        return self._values[index]

    def zoom(self, factor: float) -> None:
        lo, hi = self.main.viewRange()[0]
        centre, half = (lo + hi) / 2, max(8.0, (hi - lo) * factor / 2)
        self.main.setXRange(centre - half, centre + half, padding=0)

    def reset_zoom(self) -> None:
        self.main.setXRange(0, max(1, self.data_size), padding=0.01)

    def show_offset(self, offset: int) -> None:
        """Centre the main plot on `offset` keeping the current zoom width."""
        lo, hi = self.main.viewRange()[0]
        half = min((hi - lo) / 2, 512.0)
        lo = min(max(0.0, offset - half), max(0.0, self.data_size - 2 * half))
        self.main.setXRange(lo, lo + 2 * half, padding=0)
        self.vline.setPos(offset)

    # ---- Private -----------------------------------------------------------------------------------
    def _fit_y(self, force_ticks: bool = False) -> None:
        """Y range over the drawn points (see the module note); the chunk ticks scale with it."""
        bounds = [b for b in self._bounds if b is not None]
        wanted = (y_range_for(min(b[0] for b in bounds), max(b[1] for b in bounds)) if bounds
                  else self._y_range)
        if wanted != self._y_range or force_ticks:
            self.main.setYRange(*wanted, padding=0)    # a no-op for pyqtgraph when the range is unchanged
            self._y_range = wanted
            self._draw_ticks()

    def _draw_ticks(self) -> None:
        starts = np.arange(0, self.data_size, SEQ_LEN, dtype=np.float64)
        if not self._series or starts.size > MAX_TICKS:   # too dense to read; the gaps show when zoomed in
            self._ticks.setData([], [])
            return
        top = self._y_range[1] * 0.04
        x = np.repeat(starts, 2)
        y = np.tile([0.0, top], starts.size)
        self._ticks.setData(x, y)

    def _on_region_changed(self) -> None:
        lo, hi = self.region.getRegion()
        self.main.blockSignals(True)
        self.main.setXRange(lo, hi, padding=0)
        self.main.blockSignals(False)
        for index in range(len(self._values)):
            self._display(index)
        self._fit_y()

    def _on_main_range_changed(self, _view, ranges) -> None:
        self._range_moves += 1
        self.region.blockSignals(True)
        self.region.setRegion(ranges)
        self.region.blockSignals(False)
        for index in range(len(self._values)):
            self._display(index)
        self._fit_y()

    def _offset_from_scene(self, pos: QPointF) -> int:
        if not self.main.sceneBoundingRect().contains(pos):
            return -1
        point = self.main.plotItem.vb.mapSceneToView(pos)
        offset = int(round(point.x()))
        return offset if 0 <= offset <= self.data_size else -1

    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        offset = self._offset_from_scene(pos)
        if offset < 0 or not self._series:
            self.label.hide()
            self.sig_offset_hovered.emit(-1)
            return
        self.vline.setPos(offset)
        parts = [f"offset {offset}"]
        for label, values, _color in self._series:
            value = values[offset] if offset < values.size else np.nan
            parts.append(f"{label}: " + ("no value" if np.isnan(value) else f"{value:.3f} {self.unit}"))
        self.label.setText("\n".join(parts))
        view = self.main.plotItem.vb.mapSceneToView(pos)
        self.label.setPos(view.x(), self.main.viewRange()[1][1])
        self.label.show()
        self.sig_offset_hovered.emit(offset)

    def _on_mouse_clicked(self, event) -> None:
        offset = self._offset_from_scene(event.scenePos())
        if offset >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.sig_offset_clicked.emit(offset)
