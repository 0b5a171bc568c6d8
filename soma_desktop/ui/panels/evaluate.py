"""Evaluate panel: drop files, run models in the background, per-byte loss and embeddings vs targets.

Layout: inputs (files, models, run settings) on top; below, the competition table for the chosen file
and two tabs — per-byte loss (plot, bytes, readout, worst regions) and the embedding map with the exact
distance to every target. All heavy work runs off the GUI thread: the panel asks EvaluateService (worker runs,
probes, submissions, remote scoring) and ModelsService (registry, targets) through the bridge.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.settings import Settings
from soma_desktop.network.messages import describe_error
from soma_desktop.services.evaluate.export import write_per_byte_csv, write_results_json
from soma_desktop.services.evaluate.results import RunResults, already_scored, submit_candidate
from soma_desktop.services.evaluate.service import EvaluateService, allows_loopback
from soma_desktop.services.models import ModelsService
from soma_desktop.services.submit import CannotSubmit, SubmitPlan
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.evaluate.controller import RunController
from soma_desktop.ui.evaluate.embedding_tab import EmbeddingTab
from soma_desktop.ui.evaluate.input_list import InputList
from soma_desktop.ui.evaluate.loss_tab import LossTab
from soma_desktop.ui.evaluate.model_picker import ModelPicker
from soma_desktop.ui.evaluate.submit_dialog import SubmitDialog
from soma_desktop.ui.evaluate.tables import CompetitionTable
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.panels.common import Banner, PanelHeader
from soma_desktop.ui.remote_scoring import RemoteScoringDialog
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.empty_state import attach_empty_state

DEVICES = (("auto", "Auto (CUDA if available)"), ("cpu", "CPU"), ("cuda", "CUDA GPU"))
PRECISIONS = (("exact", "Exact (f32, network parity)"), ("fast", "Fast (bf16, loss within ≈1e-3)"))


def _save_image(path: Path, image) -> None:
    """QImage (unlike QPixmap) may be saved off the GUI thread; written beside, then moved into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    if not image.save(str(tmp), "PNG"):
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write {path}")
    os.replace(tmp, path)


class EvaluatePanel(QWidget):
    """`save_settings` persists `settings` after the run options change (off the GUI thread)."""

    def __init__(self, *, evaluate: EvaluateService, models: ModelsService, chain: ChainStatus, bridge: AsyncBridge,
                 settings: Settings, save_settings: Callable[[], None], wallet: WalletSession, names: LocalNames,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.evaluate, self.models_service, self.chain, self.bridge = evaluate, models, chain, bridge
        self.settings, self._save_settings, self.wallet = settings, save_settings, wallet
        self.ask_save_path = self._ask_save_path     # replaced in tests (no modal dialog)
        self._targets_in_flight = 0
        self.controller = RunController(evaluate, self)
        self.banner = Banner()
        self.inputs = InputList(bridge=bridge)
        self.models = ModelPicker(evaluate=evaluate, models=models, chain=chain, bridge=bridge, settings=settings,
                                  names=names)
        self.loss_tab = LossTab(evaluate=evaluate, bridge=bridge, settings=settings)
        self.embedding_tab = EmbeddingTab(chain=chain, evaluate=evaluate, settings=settings)
        self.table = CompetitionTable()
        attach_empty_state(self.table, "Drop files here (or use 1 · Files), tick models in 2 · Models, then press "
                                       "Run: each model's network loss and the winner appear here.")
        self.file_combo = QComboBox()
        self.file_combo.setToolTip("Which evaluated file the table and the views show")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.loss_tab, "Per-byte loss")
        self.tabs.addTab(self.embedding_tab, "Embedding vs targets")
        self._build_run_box()
        self._build_layout()
        self._connect()
        self._sync_run_controls()
        self._targets_wanted = False   # targets load when first needed (embedding tab or a finished run)
        app = QApplication.instance()
        if app is not None:  # never leave a running QThread behind at exit
            app.aboutToQuit.connect(self.shutdown)

    # ---- construction ------------------------------------------------------------------------------
    def _build_run_box(self) -> None:
        s = self.settings
        self.device_combo = QComboBox()
        for key, label in DEVICES:
            self.device_combo.addItem(label, key)
        self.device_combo.setCurrentIndex(max(0, [k for k, _ in DEVICES].index(s.eval_device)
                                              if s.eval_device in dict(DEVICES) else 0))
        self.precision_combo = QComboBox()
        for key, label in PRECISIONS:
            self.precision_combo.addItem(label, key)
        self.precision_combo.setCurrentIndex(1 if s.eval_precision == "fast" else 0)
        self.fast_note = QLabel("")
        self.fast_note.setObjectName("fastModeNote")
        self.fast_note.setToolTip("Measured once on this machine: a bf16 matrix product against an f32 one")
        self._speed_asked = False
        self.threads_spin = QSpinBox()   # int: thread count, 0..256
        self.threads_spin.setRange(0, 256)
        self.threads_spin.setSpecialValueText("Auto (all cores but one)")
        self.threads_spin.setValue(s.eval_threads)
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("Idle")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())   # no relayout per update
        self.csv_button = QPushButton("Per-byte CSV…")
        self.json_button = QPushButton("Results JSON…")
        self.png_button = QPushButton("Plot PNG…")
        self.json_button.setToolTip("Same schema as `soma-desktop eval --json`; `distance` is to the selected target")
        self.remote_button = QPushButton("Score on the network…")
        self.remote_button.setObjectName("remoteScoreButton")

    def _build_layout(self) -> None:
        files_box = QGroupBox("1 · Files")
        QVBoxLayout(files_box).addWidget(self.inputs)
        models_box = QGroupBox("2 · Models")
        QVBoxLayout(models_box).addWidget(self.models)
        run_box = QGroupBox("3 · Run")
        form = QFormLayout(run_box)
        buttons = QHBoxLayout()         # first: on a 768-px screen the inputs area is short, Run stays in view
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow("Device", self.device_combo)
        form.addRow("Precision", self.precision_combo)
        form.addRow("", self.fast_note)
        form.addRow("CPU threads", self.threads_spin)
        exports = QHBoxLayout()
        for button in (self.csv_button, self.json_button, self.png_button):
            exports.addWidget(button)
        form.addRow("Export", exports)
        form.addRow("Remote", self.remote_button)
        top = QSplitter(Qt.Orientation.Horizontal)
        for box in (files_box, models_box, run_box):
            top.addWidget(box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 3)
        top.setStretchFactor(2, 2)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Competition</b> — file:"))
        row.addWidget(self.file_combo, 1)
        results_layout.addLayout(row)
        results_layout.addWidget(self.table)
        results_layout.addWidget(self.tabs, 1)
        top_scroll = QScrollArea()      # the inputs scroll rather than push the results off a 768-px screen
        top_scroll.setWidgetResizable(True)
        top_scroll.setFrameShape(QFrame.Shape.NoFrame)
        top_scroll.setWidget(top)
        top_scroll.setMinimumHeight(120)
        top_scroll.setMaximumHeight(top.minimumSizeHint().height() + 8)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top_scroll)
        split.addWidget(results)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 800])
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Evaluate", "Score files with models exactly like the network does: per-byte "
                                                 "loss, the winner, and how close the data lands to each target."))
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.setAcceptDrops(True)

    def _connect(self) -> None:
        self.inputs.sig_inputs_changed.connect(self._sync_run_controls)
        self.inputs.sig_message_posted.connect(self.banner.show_message)
        self.models.sig_selection_changed.connect(self._sync_run_controls)
        self.models.sig_selection_changed.connect(self._on_models_selection_changed)
        self.models.sig_message_posted.connect(self.banner.show_message)
        self.models.sig_registry_loaded.connect(lambda models: self.embedding_tab.set_network_data(models=models))
        self.loss_tab.sig_message_posted.connect(self.banner.show_message)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.controller.sig_results_changed.connect(self._on_controller_results_changed)
        self.controller.sig_progress_changed.connect(self._on_controller_progress_changed)
        self.controller.sig_state_changed.connect(lambda _s: self._sync_run_controls())
        self.controller.sig_run_ended.connect(self._on_controller_run_ended)
        self.file_combo.currentIndexChanged.connect(lambda _i: self._show_current_file())
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.device_combo.currentIndexChanged.connect(self._on_settings_edited)
        self.precision_combo.currentIndexChanged.connect(self._on_settings_edited)
        self.threads_spin.valueChanged.connect(self._on_settings_edited)
        self.csv_button.clicked.connect(lambda: self.export_csv(self.ask_save_path("Per-byte NLL", "CSV (*.csv)")))
        self.json_button.clicked.connect(lambda: self.export_json(self.ask_save_path("Results", "JSON (*.json)")))
        self.png_button.clicked.connect(lambda: self.export_png(self.ask_save_path("Plot", "PNG image (*.png)")))
        self.chain.network_changed.connect(self._on_chain_network_changed)
        self.chain.epoch_changed.connect(self._on_chain_epoch_changed)
        self.chain.network_changed.connect(lambda _n: self._sync_run_controls())
        self.remote_button.clicked.connect(self.open_remote_scoring)
        self.embedding_tab.sig_submit_requested.connect(self.open_submit)

    # ---- Public API --------------------------------------------------------------------------------
    def run(self) -> None:
        """Evaluate every ready file with every checked model (a run in flight is cancelled first)."""
        files = self.inputs.ready_files()
        choices = self.models.checked()
        if not files or not choices:
            return
        if (already_scored(self.controller.results, [(f.path, f.data) for f in files], [c.ref for c in choices])
                and self.controller.precision == self.settings.eval_precision):
            self.banner.show_message("These files already have results with these models; add a file, change a "
                                     "model or the precision to run again.", "info")
            return
        self.banner.clear_message()
        registry = {i: c.registry for i, c in enumerate(choices) if c.registry is not None}
        self.controller.start([(f.path, f.data, f.truncated, f.binary) for f in files], [c.ref for c in choices],
                              device=self.settings.eval_device, precision=self.settings.eval_precision,
                              threads=self.settings.eval_threads, registry=registry,
                              memory_budget=self.settings.eval_memory_budget)

    def open_remote_scoring(self):
        """Send the current file to the network's scoring service (for jobs that outgrow this machine)."""
        files = self.inputs.ready_files()
        if not files:
            return None
        path = files[min(self.current_file_index(), len(files) - 1)].path
        local: dict[str, float] = {}
        results = self.controller.results
        for track in results.files if results else []:
            if track.path == path:
                local = {m.ref.model_id: m.loss for m in track.models
                         if m.ref.model_id and m.final and m.loss is not None}
        dialog = RemoteScoringDialog(scoring=self.evaluate.remote_scoring(path), bridge=self.bridge,
                                     local_losses=local, parent=self)
        dialog.open()
        return dialog

    def open_submit(self, target_id: str) -> None:
        """Plan the submission off the GUI thread (it hashes the data), then show what it costs."""
        track = self.embedding_tab.track
        target = next((t for t in self.embedding_tab.targets if t.id == target_id), None)
        model = submit_candidate(track, target) if target is not None else None
        if (track is None or target is None or model is None or not self.chain.is_open
                or not self.evaluate.can_submit_data()):
            return
        embedding = [] if model.embedding is None else model.embedding.tolist()   # submit_candidate: never None
        job = self.evaluate.plan_submission(target, model.ref.model_id or "", track.path, track.data,
                                            embedding, model.loss, self.chain.state)
        self.bridge.call(job, owner=self, label="planning a submission", on_result=self._show_submit,
                         on_error=self._on_submit_plan_failed)

    def _show_submit(self, plan: SubmitPlan) -> None:
        choice = self.chain.choice
        loopback = self.chain.is_open and allows_loopback(self.chain.is_sandbox,
                                                          choice.key if choice is not None else None)
        self.submit_dialog = SubmitDialog(plan=plan, builtin_hosting=loopback, evaluate=self.evaluate,
                                          wallet=self.wallet, chain=self.chain, bridge=self.bridge,
                                          settings=self.settings, parent=self)
        self.submit_dialog.open()

    def _on_submit_plan_failed(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, CannotSubmit) else describe_error(exc)
        self.banner.show_message(f"Cannot submit: {text}", "error")

    def results(self) -> RunResults | None:
        return self.controller.results

    def current_file_index(self) -> int:
        return max(0, self.file_combo.currentIndex())

    def export_csv(self, path: Path | None) -> None:
        results = self.controller.results
        if not path or results is None or not results.files:
            return
        self._export(write_per_byte_csv, path, results, self.current_file_index(), what="per-byte CSV")

    def export_json(self, path: Path | None) -> None:
        results = self.controller.results
        if not path or results is None:
            return
        unfinished = sum(1 for f in results.files if not f.complete)
        note = f" ({unfinished} unfinished file(s) left out: the CLI schema has no partial form)" if unfinished else ""
        self._export(write_results_json, path, results, self.embedding_tab.selected_target_embedding(),
                     what="results JSON", note=note)

    def export_png(self, path: Path | None) -> None:
        if not path:
            return
        image = self.tabs.currentWidget().grab().toImage()   # grabbing must happen here; saving does not
        self._export(_save_image, path, image, what="plot PNG")

    # ---- Private -----------------------------------------------------------------------------------
    def _ask_save_path(self, title: str, pattern: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, f"Export {title}", "", pattern)
        return Path(name) if name else None

    def _export(self, writer, path: Path, *args, what: str, note: str = "") -> None:
        self.bridge.call(asyncio.to_thread(writer, path, *args), owner=self, timeout=120.0, label=f"export {what}",
                         on_result=lambda _r: self.banner.show_message(f"Saved the {what} to {path}{note}", "ok"),
                         on_error=lambda exc: self.banner.show_message(f"Could not save the {what}: {exc}", "error"))

    def _want_targets(self) -> None:
        if not self._targets_wanted:
            self._targets_wanted = True
            self._load_targets()

    def _load_targets(self) -> None:
        if not self._targets_wanted:
            return
        if not self.chain.is_open:
            self.embedding_tab.set_network_data(targets=[])
            return
        self._targets_in_flight += 1
        self.bridge.call(self.models_service.all_targets(), owner=self, label="listing targets",
                         on_result=self._on_targets_listed, on_error=self._on_targets_failed)

    def _on_targets_listed(self, targets) -> None:
        self._targets_in_flight -= 1
        self.embedding_tab.set_network_data(targets=targets)

    def _on_targets_failed(self, exc: BaseException) -> None:
        self._targets_in_flight -= 1
        self.banner.show_message(f"Could not load targets: {describe_error(exc)}", "warning")

    def background_idle(self) -> bool:
        """No target or model listing in flight (lets a caller shut the network down cleanly)."""
        return self._targets_in_flight == 0 and self.models.listing_in_flight == 0

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.embedding_tab:
            self._want_targets()

    def _on_chain_network_changed(self, _network: object) -> None:
        self._load_targets()

    def _on_chain_epoch_changed(self, _epoch: object) -> None:
        self._load_targets()

    def _on_models_selection_changed(self) -> None:
        if self.models.checked():
            self.evaluate.warm_up(self.settings.eval_memory_budget)   # the worker imports torch before Run
            self._ask_speed()

    def _ask_speed(self) -> None:
        """Once per session: what fast mode does on this CPU, measured by the worker (a small matmul)."""
        if self._speed_asked:
            return
        self._speed_asked = True
        self.fast_note.setText("Fast mode: measuring this CPU…")
        self.bridge.call(self.evaluate.matmul_speed(), owner=self, timeout=300.0, label="CPU speed",
                         on_result=self._on_speed_measured,
                         on_error=lambda exc: self.fast_note.setText(f"Fast mode: could not measure ({exc})"))

    def _on_speed_measured(self, speed) -> None:
        self.fast_note.setText(f"Fast mode: {speed.describe_fast_mode()} "
                               f"(bf16 {speed.bf16_flops / 1e9:.0f} vs f32 {speed.fp32_flops / 1e9:.0f} GFLOP/s)")

    def _on_settings_edited(self, *_args) -> None:
        s = self.settings
        s.eval_device = self.device_combo.currentData()
        s.eval_precision = self.precision_combo.currentData()
        s.eval_threads = self.threads_spin.value()
        self._save_settings()

    def _sync_run_controls(self) -> None:
        state = self.controller.state
        ready = bool(self.inputs.ready_files())
        chosen = bool(self.models.checked())
        self.run_button.setEnabled(ready and chosen and state != "cancelling")
        why = "" if ready and chosen else ("Add a readable, non-empty file first" if not ready
                                           else "Tick at least one model")
        self.run_button.setToolTip(why or ("Restart: the current run is cancelled first" if state == "running"
                                           else "Evaluate every file with every ticked model"))
        self.cancel_button.setEnabled(state == "running")
        self.cancel_button.setText("Cancelling…" if state == "cancelling" else "Cancel")
        self.cancel_button.setToolTip("Stop after the current chunk; partial results stay visible"
                                      if state == "running" else "No evaluation is running")
        remote = self.chain.is_open and self.evaluate.can_score_remotely()
        self.remote_button.setEnabled(ready and remote)
        self.remote_button.setToolTip(
            "Score the current file on the network's SOMA scoring service" if ready and remote else
            "This network has no scoring service (localnet or a custom network with a scoring URL has one)"
            if not remote else "Add a readable, non-empty file first")
        has_results = self.controller.results is not None and bool(self.controller.results.files)
        for button in (self.csv_button, self.json_button, self.png_button):
            button.setEnabled(has_results)
            button.setToolTip("" if has_results else "Run an evaluation first")

    def _on_controller_results_changed(self, results: RunResults) -> None:
        labels = [f.label for f in results.files]
        if [self.file_combo.itemText(i) for i in range(self.file_combo.count())] != labels:
            self.file_combo.blockSignals(True)
            self.file_combo.clear()
            self.file_combo.addItems(labels)
            self.file_combo.blockSignals(False)
        self._show_current_file()
        self._sync_run_controls()

    def _show_current_file(self) -> None:
        results = self.controller.results
        track = results.files[self.current_file_index()] if results and results.files else None
        running = results is not None and results.state == "running"
        self.table.show_file(track)
        self.loss_tab.show_track(track, running=running)
        self.embedding_tab.show_track(track)

    def _on_controller_progress_changed(self, done: int, total: int, text: str) -> None:
        # QProgressBar repaints synchronously when its text changes: move it in steps of 1 % at most.
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        if done == total or abs(done - self.progress.value()) * 100 >= total:
            self.progress.setValue(done)
        if self.status.text() != text:
            self.status.setText(text)

    def _on_controller_run_ended(self, outcome: str, message: str) -> None:
        self._want_targets()   # the verdicts need them; loaded once, refreshed on epoch/network changes
        if outcome == "failed":
            self.banner.show_message(f"Evaluation failed: {message}", "error")
        elif outcome == "cancelled":
            self.banner.show_message("Evaluation cancelled. The partial results stay visible, labelled partial.",
                                     "info")
        self._sync_run_controls()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.inputs.dropEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the evaluation thread and pending hover work (window close, app exit)."""
        self.loss_tab.stop()
        self.controller.shutdown()
        self.evaluate.stop_hosting()
