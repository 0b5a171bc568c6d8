"""Per-byte loss tab: loss plot + overview, byte view coloured by loss, hover readout, worst regions."""

from __future__ import annotations

import asyncio
from functools import partial

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.settings import Settings
from soma_desktop.engine.contract import SEQ_LEN
from soma_desktop.services.evaluate.results import LN2, FileTrack, worst_spans
from soma_desktop.services.evaluate.service import EvaluateService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.plots.byte_view import ByteView
from soma_desktop.ui.plots.colormap import DEFAULT_RANGE_BITS, MODEL_COLORS
from soma_desktop.ui.plots.glyphs import describe_byte, token_name
from soma_desktop.ui.plots.loss_plot import LossPlot

PROBE_DELAY_MS = 150
_PREVIEW = {"\n": "⏎", "\t": "⇥", "\r": "␍", " ": " "}


class LossTab(QWidget):
    sig_message_posted = Signal(str, str)
    """(text, kind) for the panel banner."""
    sig_worst_ranked = Signal(object)
    """Number of worst regions listed after a ranking finished."""

    def __init__(self, *, evaluate: EvaluateService, bridge: AsyncBridge, settings: Settings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.evaluate, self.bridge, self.settings = evaluate, bridge, settings
        self.track: FileTrack | None = None
        self.running = False
        self.plot = LossPlot()
        self.bytes = ByteView()
        self.readout = QLabel("Hover a byte or the plot to see its loss and the model's top predictions.")
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.readout.setMinimumWidth(250)
        self.worst = QListWidget()
        self.worst.setAccessibleName("Worst regions")
        self.worst.itemActivated.connect(self._on_worst_activated)
        self.worst.itemClicked.connect(self._on_worst_activated)
        self.colour_by = QComboBox()
        self.colour_by.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.colour_by.setMinimumContentsLength(18)
        self.colour_by.setToolTip("Which model colours the bytes; “A − B” shows the difference (red: A worse)")
        self.colour_by.currentIndexChanged.connect(lambda _i: self._redraw(full=True))
        self.unit = QComboBox()
        self.unit.addItems(["bits", "nats"])
        self.unit.currentIndexChanged.connect(lambda _i: self._redraw(full=True))
        self.scale_spin = QDoubleSpinBox()
        self.scale_spin.setRange(1.0, 16.0)
        self.scale_spin.setSingleStep(1.0)
        self.scale_spin.setDecimals(0)
        self.scale_spin.setValue(DEFAULT_RANGE_BITS[1])
        self.scale_spin.setSuffix(" bits")
        self.scale_spin.setToolTip("Top of the pinned colour scale (0 bits → this value); "
                                   "keep it fixed to compare runs")
        self.scale_spin.valueChanged.connect(self._on_scale_spin_changed)
        self.hex_box = QCheckBox("Hex view")
        self.hex_box.toggled.connect(self.bytes.set_hex_mode)
        self.smooth_box = QCheckBox("Smoothed overlay")
        self.smooth_box.setChecked(True)
        self.smooth_box.toggled.connect(lambda _c: self._redraw(full=True))
        self.prev_button = QPushButton("◀ Previous hot spot")
        self.next_button = QPushButton("Next hot spot ▶")
        self.prev_button.setToolTip("Shift+F3")
        self.next_button.setToolTip("F3")
        self.prev_button.clicked.connect(lambda: self.step_worst(-1))
        self.next_button.clicked.connect(lambda: self.step_worst(1))
        QShortcut(QKeySequence("F3"), self, activated=lambda: self.step_worst(1))
        QShortcut(QKeySequence("Shift+F3"), self, activated=lambda: self.step_worst(-1))
        self.legend = QLabel()
        self.series_legend = QLabel()   # curve colours, outside the plot so it never hides data
        # One line reserved from the start: its first text (at Run) must not re-lay out the plot and bytes.
        self.series_legend.setMinimumHeight(self.series_legend.fontMetrics().lineSpacing())
        self._build_layout()
        self.plot.sig_offset_hovered.connect(self._on_plot_offset_hovered)
        self.plot.sig_offset_clicked.connect(self._on_plot_offset_clicked)
        self.bytes.sig_offset_hovered.connect(self._on_bytes_offset_hovered)
        self.bytes.sig_offset_clicked.connect(self._on_bytes_offset_clicked)
        self._probe_timer = QTimer(self, singleShot=True, interval=PROBE_DELAY_MS)
        self._probe_timer.timeout.connect(self._on_probe_timer_timeout)
        self._probe_offset = -1
        self._probe_busy = False
        self._spans: list[tuple[int, int, float]] = []
        self._span_index = -1
        self._worst_request = 0
        self._worst_for: FileTrack | None = None
        self._worst_complete = False
        self._scaled: list[np.ndarray] = []
        self._scaled_key: tuple | None = None
        self._empty = np.zeros(0, dtype=np.float32)

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Colour bytes by:"))
        controls.addWidget(self.colour_by)
        controls.addWidget(QLabel("Unit:"))
        controls.addWidget(self.unit)
        controls.addWidget(QLabel("Colour scale 0–"))
        controls.addWidget(self.scale_spin)
        controls.addWidget(self.smooth_box)
        controls.addWidget(self.hex_box)
        controls.addStretch(1)
        controls.addWidget(self.legend)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.readout, 2)
        side_layout.addWidget(QLabel("<b>Worst regions</b> (16-byte windows, highest mean loss)"))
        side_layout.addWidget(self.worst, 3)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        side_layout.addLayout(nav)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.bytes)
        lower.addWidget(side)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([330, 220])
        self.plot.setMinimumHeight(120)
        self.readout.setMinimumHeight(4 * self.readout.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.series_legend)
        layout.addWidget(split, 1)
        self._update_legend()

    # ---- Public API --------------------------------------------------------------------------------
    def show_track(self, track: FileTrack | None, *, running: bool) -> None:
        """Draw `track` (partial or final); structural changes rebuild, streaming updates only set data.

        A run's empty track is drawn at Run (curves, axes and bytes laid out, nothing to scan), so the first
        streamed chunk only updates what it touched instead of building a 1 MiB plot in one event-loop turn."""
        new_file = track is not self.track
        self.track, self.running = track, running
        if new_file:
            self._fill_colour_choices()
        self._redraw(full=new_file)

    def stop(self) -> None:
        """No more hover probes (the panel is closing)."""
        self._probe_timer.stop()
        self._probe_offset = -1

    def step_worst(self, step: int) -> None:
        if not self._spans:
            return
        self._span_index = (self._span_index + step) % len(self._spans)
        self.worst.setCurrentRow(self._span_index)
        self.jump_to(self._spans[self._span_index][0])

    def jump_to(self, offset: int) -> None:
        self.bytes.scroll_to(offset)
        self.plot.show_offset(offset)
        self._show_readout(offset, probe=True)

    def selected_series(self) -> tuple[str, np.ndarray, bool] | None:
        """(label, values in the current unit, is-difference) that colours the bytes."""
        if self.track is None or not self.track.models:
            return None
        key = self.colour_by.currentData()
        scaled = self._scaled_series()
        if isinstance(key, tuple):
            a, b = (self.track.models[i] for i in key)
            return f"{a.ref.label} − {b.ref.label}", scaled[key[0]] - scaled[key[1]], True
        index = key if isinstance(key, int) else 0
        return self.track.models[index].ref.label, scaled[index], False

    # ---- Private -----------------------------------------------------------------------------------
    def _scale(self) -> float:
        return 1.0 / LN2 if self.unit.currentText() == "bits" else 1.0

    def _scaled_series(self, dirty: dict[int, tuple[int, int]] | None = None) -> list[np.ndarray]:
        """Each model's per-byte values in the current unit, kept between redraws: a streamed update rescales
        only its `dirty` spans, not every model's 1 MiB array (the views are told which spans changed)."""
        track, scale = self.track, self._scale()
        if track is None:
            return []
        key = (track, scale, len(track.models))
        if self._scaled_key is None or self._scaled_key[0] is not track or self._scaled_key[1:] != key[1:]:
            # Models with nothing scored yet share one all-NaN array (NaN in any unit): Run scales nothing.
            self._empty = np.full(track.size + 1, np.nan, dtype=np.float32)
            self._scaled = [m.nll * scale if m.scored else self._empty for m in track.models]
            self._scaled_key = key
        else:
            for index, (lo, hi) in (dirty or {}).items():
                nll = track.models[index].nll
                if self._scaled[index] is self._empty:
                    self._scaled[index] = nll * scale     # its first values: now it needs an array of its own
                else:
                    self._scaled[index][lo:hi] = nll[lo:hi] * scale
        return self._scaled

    def _fill_colour_choices(self) -> None:
        self.colour_by.blockSignals(True)
        self.colour_by.clear()
        if self.track is not None:
            models = self.track.models
            for index, model in enumerate(models):
                self.colour_by.addItem(model.ref.label, index)
            for i in range(min(len(models), 4)):
                for j in range(min(len(models), 4)):
                    if i != j:
                        self.colour_by.addItem(f"Difference: {models[i].ref.label} − {models[j].ref.label}", (i, j))
        self.colour_by.blockSignals(False)

    def _redraw(self, full: bool) -> None:
        track = self.track
        if track is None:
            self.plot.set_series(0, [])
            self.bytes.set_content(b"", np.full(1, np.nan))
            self.worst.clear()
            return
        unit = self.unit.currentText()
        dirty = track.take_dirty()
        if full:
            self._scaled_key = None     # rescale everything (a new file, unit or colouring)
        self._scaled_series(dirty)
        chosen = self.selected_series()
        if chosen and chosen[2]:
            series = [(chosen[0], chosen[1], MODEL_COLORS[0])]
            pair = self.colour_by.currentData()
            spans = [dirty[i] for i in pair if i in dirty]
            changed = [(min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None]
        else:
            series = [(m.ref.label, self._scaled[i], MODEL_COLORS[i % len(MODEL_COLORS)])
                      for i, m in enumerate(track.models)]
            changed = [dirty.get(i) for i in range(len(track.models))]
        self.series_legend.setText("Curves (thin: per byte, thick: 64-byte mean): " + " · ".join(
            f"<span style='color:{color}'>■</span> {label}" for label, _v, color in series))
        self.plot.set_series(track.size, series, unit=unit, diff=bool(chosen and chosen[2]),
                             smooth=self.smooth_box.isChecked() and track.size > 256,
                             changed=None if full else changed)
        key = self.colour_by.currentData()
        shown = [i for i in (key if isinstance(key, tuple) else (key or 0,)) if i in dirty]
        byte_change = (min(dirty[i][0] for i in shown), max(dirty[i][1] for i in shown)) if shown else (0, 0)
        if chosen is not None:
            values = chosen[1] if unit == "bits" else chosen[1] / LN2   # bytes are coloured on the bits scale
            if track.data is not self.bytes.data or full:
                self.bytes.set_content(track.data, values, diff=chosen[2])
            else:
                self.bytes.set_values(values, diff=chosen[2], changed=byte_change)
            if full and track.binary and not self.hex_box.isChecked():
                self.hex_box.setChecked(True)
        if not self.running and (full or self._worst_for is not track or track.complete != self._worst_complete):
            self._worst_for, self._worst_complete = track, track.complete
            self._update_worst()
        self._update_legend()

    def _on_scale_spin_changed(self, value: float) -> None:
        self.bytes.set_scale(0.0, float(value))
        self._update_legend()

    def _update_legend(self) -> None:
        # Only the mode matters here; selected_series() would scale a whole 1 MiB series for nothing.
        if self.track is not None and self.track.models and isinstance(self.colour_by.currentData(), tuple):
            self.legend.setText("bytes: <span style='color:#2166ac'>■</span> A better · white equal · "
                                "<span style='color:#b2182b'>■</span> A worse (±4 bits)")
        else:
            low, high = self.bytes.scale
            self.legend.setText(f"bytes: viridis {low:.0f}–{high:.0f} bits "
                                "(<span style='color:#440154'>■</span> low → <span style='color:#fde725;"
                                "background:#555'>■</span> high), grey = no value")

    def _update_worst(self) -> None:
        """Rank the worst regions in a pool thread (a 1 MiB scan would stall the GUI thread)."""
        chosen = self.selected_series()
        self._worst_request += 1
        request, track = self._worst_request, self.track
        if chosen is None or track is None:
            self._show_worst(request, track, [])
            return
        values = chosen[1].copy()
        self.bridge.call(asyncio.to_thread(worst_spans, values), owner=self, label="worst regions",
                         on_result=lambda spans: self._show_worst(request, track, spans),
                         on_error=lambda exc: None)

    def _show_worst(self, request: int, track: FileTrack | None, spans: list[tuple[int, int, float]]) -> None:
        if request != self._worst_request or track is not self.track:
            return   # a newer ranking is on its way
        self.worst.clear()
        self._spans = spans
        self._span_index = -1
        unit = self.unit.currentText()
        for start, stop, mean in spans:
            preview = track.data[start:min(stop, track.size)].decode("utf-8", "replace")
            preview = "".join(_PREVIEW.get(ch, "·" if ord(ch) < 32 or ord(ch) == 127 else ch) for ch in preview)
            item = QListWidgetItem(f"{start:>8}  {mean:6.2f} {unit}  {preview}")
            item.setData(Qt.ItemDataRole.UserRole, start)
            self.worst.addItem(item)
        enabled = bool(spans)
        self.prev_button.setEnabled(enabled)
        self.next_button.setEnabled(enabled)
        self.sig_worst_ranked.emit(len(spans))

    def _on_worst_activated(self, item: QListWidgetItem) -> None:
        self._span_index = self.worst.row(item)
        self.jump_to(int(item.data(Qt.ItemDataRole.UserRole)))

    def _on_plot_offset_hovered(self, offset: int) -> None:
        if offset >= 0:
            self._show_readout(offset, probe=True)

    def _on_plot_offset_clicked(self, offset: int) -> None:
        self.bytes.scroll_to(offset)
        self._show_readout(offset, probe=True)

    def _on_bytes_offset_hovered(self, offset: int) -> None:
        if offset < 0:
            QToolTip.hideText()
            return
        text = self._show_readout(offset, probe=True)
        QToolTip.showText(QCursor.pos(), text, self.bytes)

    def _on_bytes_offset_clicked(self, offset: int) -> None:
        self.plot.show_offset(offset)
        self._show_readout(offset, probe=True)

    def readout_text(self, offset: int, top: str = "") -> str:
        track = self.track
        if track is None or offset < 0 or offset > track.size:
            return ""
        chunk, slot = divmod(max(offset - 1, 0), SEQ_LEN)
        lines = [f"<b>offset {offset:,}</b> (0x{offset:x}) · {describe_byte(track.data, offset)}"]
        if offset % SEQ_LEN == 0 and offset < track.size or (offset == track.size and track.size % SEQ_LEN == 0):
            lines.append("no context (chunk start): the network never predicts this byte")
        else:
            lines.append(f"chunk {chunk}, predicted from slot {slot}")
            for model in track.models:
                value = float(model.nll[offset])
                lines.append(f"{model.ref.label}: " + ("not scored yet" if np.isnan(value) else
                                                        f"{value:.4f} nats = {value / LN2:.4f} bits"))
        if top:
            lines.append(top)
        return "<br>".join(lines)

    def _show_readout(self, offset: int, probe: bool) -> str:
        text = self.readout_text(offset)
        self.readout.setText(text)
        if probe and text:
            self._probe_offset = offset
            self._probe_timer.start()
        return text

    def _on_probe_timer_timeout(self) -> None:
        """Top-k predictions of the colouring model for the hovered byte, computed in a pool thread."""
        track, offset = self.track, self._probe_offset
        if track is None or offset < 0 or self._probe_busy or not self.isVisible():
            return
        key = self.colour_by.currentData()
        model = track.models[key[0] if isinstance(key, tuple) else (key or 0)]
        weights = model.weights_path or model.ref.weights
        if not weights or offset % SEQ_LEN == 0 and offset < track.size:
            return
        self._probe_busy = True
        device = self.settings.eval_device
        self.bridge.call(self.evaluate.probe(weights, device, track.data, offset), owner=self,
                         on_result=partial(self._on_probe_done, track, model.ref.label),
                         on_error=self._on_probe_failed, timeout=120.0, label="top predictions")

    def _on_probe_done(self, track: FileTrack, label: str, prediction) -> None:
        self._probe_busy = False
        if track is not self.track or prediction is None:
            return
        if prediction.offset != self._probe_offset:
            self._probe_timer.start()   # the mouse moved on meanwhile: ask again for the latest byte
            return
        if not prediction.top:
            return
        rank_note = ""
        actual = prediction.actual
        tops = ", ".join(f"{token_name(t)} {p * 100:.1f} %" for t, p in prediction.top)
        if actual is not None and all(t != actual for t, _p in prediction.top):
            rank_note = f" (true byte {token_name(actual)} not in the top {len(prediction.top)})"
        self.readout.setText(self.readout_text(prediction.offset, f"<i>{label}</i> predicted: {tops}{rank_note}"))

    def _on_probe_failed(self, exc: BaseException) -> None:
        self._probe_busy = False
