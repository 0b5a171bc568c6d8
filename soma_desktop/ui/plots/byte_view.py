"""Byte view: every byte as a cell coloured by its loss, custom-painted (never one widget per byte).

Text mode wraps at the viewport width and breaks after each newline; hex mode shows
`offset | 16 hex cells | text`, like a hex editor. Only the visible rows are painted, so 1 MiB stays fast.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from soma_desktop.ui.plots.colormap import DEFAULT_RANGE_BITS, colors_for, text_color_for
from soma_desktop.ui.plots.glyphs import glyph

HEX_COLUMNS = 16


def text_rows(data: bytes, columns: int) -> np.ndarray:
    """Row start offsets over len(data) + 1 cells (the last is EOS): break after '\\n', wrap at `columns`."""
    total = len(data) + 1
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10) + 1
    starts = np.concatenate(([0], breaks)).astype(np.int64)
    ends = np.concatenate((breaks, [total])).astype(np.int64)
    lengths = np.maximum(ends - starts, 1)
    counts = -(-lengths // columns)
    row_index = np.arange(int(counts.sum()), dtype=np.int64)
    seg = np.repeat(np.arange(starts.size), counts)
    first_row = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return starts[seg] + (row_index - first_row[seg]) * columns


class ByteView(QAbstractScrollArea):
    # ---- Signals ---------------------------------------------------------------------------------------
    sig_offset_hovered = Signal(object)
    """Byte offset under the mouse (len(data) = EOS); -1 when the mouse leaves the bytes."""
    sig_offset_clicked = Signal(object)
    """Byte offset the user clicked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setMouseTracking(True)
        # Always there: a scroll bar appearing when the first file is shown would resize the view (and lay out
        # 1 MiB of rows) a second time.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setMouseTracking(True)
        self.setAccessibleName("Bytes coloured by loss")
        self.data = b""
        self.values = np.zeros(1, dtype=np.float32)   # bits per byte (or A − B bits in diff mode)
        self.diff = False
        self.hex_mode = False
        self.scale = DEFAULT_RANGE_BITS
        self.selected = -1
        self._rows = np.zeros(1, dtype=np.int64)
        self._columns = 64
        self._metrics()

    # ---- Public API --------------------------------------------------------------------------------
    def set_content(self, data: bytes, values: np.ndarray, *, diff: bool = False) -> None:
        """Show `data` with one value per offset 0..len(data) (NaN = no value)."""
        relayout = data is not self.data
        self.data, self.values, self.diff = data, np.asarray(values, dtype=np.float32), diff
        if relayout:
            self._layout()
        self.viewport().update()

    def set_values(self, values: np.ndarray, *, diff: bool = False, changed: tuple[int, int] | None = None) -> None:
        """New colours; repaints only when `changed` (offset range, None = anything) touches the visible rows."""
        self.values, self.diff = np.asarray(values, dtype=np.float32), diff
        if changed is None or self._visible_span_touches(*changed):
            self.viewport().update()

    def _visible_span_touches(self, lo: int, hi: int) -> bool:
        first = self.verticalScrollBar().value()
        last = min(self._rows.size, first + self._visible_rows() + 1)
        if first >= last or hi <= lo:
            return False
        start = int(self._rows[first])
        stop = int(self._rows[last]) if last < self._rows.size else len(self.data) + 1
        return lo < stop and hi > start

    def set_hex_mode(self, enabled: bool) -> None:
        self.hex_mode = enabled
        self._layout()

    def set_scale(self, low: float, high: float) -> None:
        self.scale = (low, high)
        self.viewport().update()

    def scroll_to(self, offset: int) -> None:
        """Select `offset` and bring its row into view."""
        self.selected = offset
        row = int(np.searchsorted(self._rows, offset, side="right") - 1)
        bar = self.verticalScrollBar()
        if not bar.value() <= row < bar.value() + self._visible_rows() - 1:
            bar.setValue(max(0, row - self._visible_rows() // 3))
        self.viewport().update()

    def offset_at(self, point: QPoint) -> int:
        row = self.verticalScrollBar().value() + point.y() // self._ch
        if row < 0 or row >= self._rows.size:
            return -1
        start = int(self._rows[row])
        stop = int(self._rows[row + 1]) if row + 1 < self._rows.size else len(self.data) + 1
        x = point.x() - self._left()
        if self.hex_mode:
            column = x // (3 * self._cw)
            if x >= (3 * HEX_COLUMNS + 2) * self._cw:  # the text column
                column = (x - (3 * HEX_COLUMNS + 2) * self._cw) // self._cw
        else:
            column = x // self._cell_w
        offset = start + int(column)
        return offset if x >= 0 and start <= offset < stop else -1

    # ---- Private -----------------------------------------------------------------------------------
    def _metrics(self) -> None:
        fm = self.fontMetrics()
        self._cw = max(1, fm.horizontalAdvance("M"))
        self._cell_w = self._cw + 2
        self._ch = fm.lineSpacing() + 3
        self._ascent = fm.ascent()

    def _left(self) -> int:
        return (9 * self._cw) if self.hex_mode else 4

    def _visible_rows(self) -> int:
        return max(1, self.viewport().height() // self._ch)

    def _layout(self) -> None:
        if self.hex_mode:
            self._rows = np.arange(0, len(self.data) + 1, HEX_COLUMNS, dtype=np.int64)
        else:
            self._columns = max(8, (self.viewport().width() - 8) // self._cell_w)
            self._rows = text_rows(self.data, self._columns)
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self._rows.size - self._visible_rows() + 1))
        bar.setPageStep(self._visible_rows())
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._layout()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        painter.setFont(self.font())
        if not self.data:            # nothing evaluated yet: a hint, not a lone end-of-file marker
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter,
                             "The bytes of the evaluated file appear here, coloured by loss.")
            painter.end()
            return
        palette_text = self.palette().text().color()
        first = self.verticalScrollBar().value()
        last = min(self._rows.size, first + self._visible_rows() + 1)
        if first >= last:
            return
        lo = int(self._rows[first])
        hi = int(self._rows[last]) if last < self._rows.size else len(self.data) + 1
        colors = colors_for(self.values[lo:hi] if self.values.size >= hi else np.full(hi - lo, np.nan),
                            diff=self.diff, low=self.scale[0], high=self.scale[1])
        for row in range(first, last):
            start = int(self._rows[row])
            stop = int(self._rows[row + 1]) if row + 1 < self._rows.size else len(self.data) + 1
            y = (row - first) * self._ch
            if self.hex_mode:
                painter.setPen(self.palette().placeholderText().color())
                painter.drawText(4, y + self._ascent + 1, f"{start:08x}")
            for offset in range(start, stop):
                self._paint_cell(painter, offset, y, colors[offset - lo], palette_text, start)
        painter.end()

    def _paint_cell(self, painter: QPainter, offset: int, y: int, color: QColor, palette_text: QColor,
                    row_start: int) -> None:
        text, faint = glyph(self.data, offset)
        fg = text_color_for(color)
        if fg.alpha() == 0:
            fg = palette_text
        if faint:
            fg = QColor(fg.red(), fg.green(), fg.blue(), 150)
        column = offset - row_start
        cells = []
        if self.hex_mode:
            hex_text = "EOS" if offset >= len(self.data) else f"{self.data[offset]:02x}"
            cells.append((QRect(self._left() + column * 3 * self._cw, y, 3 * self._cw - 2, self._ch - 1), hex_text))
            cells.append((QRect(self._left() + (3 * HEX_COLUMNS + 2 + column) * self._cw, y, self._cw,
                                self._ch - 1), text if len(text) == 1 else "·"))
        else:
            cells.append((QRect(self._left() + column * self._cell_w, y, self._cell_w - 1, self._ch - 1), text))
        for rect, label in cells:
            painter.fillRect(rect, color)
            painter.setPen(fg)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextDontClip
                             if len(label) == 1 else Qt.AlignmentFlag.AlignLeft, label)
            if offset == self.selected:
                painter.setPen(QPen(self.palette().highlight().color(), 2))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.sig_offset_hovered.emit(self.offset_at(event.position().toPoint()))
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        offset = self.offset_at(event.position().toPoint())
        if offset >= 0:
            self.selected = offset
            self.viewport().update()
            self.sig_offset_clicked.emit(offset)
        super().mousePressEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.sig_offset_hovered.emit(-1)
        super().leaveEvent(event)
