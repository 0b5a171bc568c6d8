"""Remote scoring dialog: choose registry models and a target, send one file to the network's scoring service.

The work (hashing, the built-in data server, the scoring call) is services/evaluate/remote.py's
`RemoteScoring`; this dialog renders its choices and its answer. Per-byte detail stays local.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.ids import short_id
from soma_desktop.network.messages import describe_error
from soma_desktop.network.sdk.scoring import RemoteScore
from soma_desktop.network.types import ModelInfo, Target
from soma_desktop.services.evaluate.remote import RemoteScoring
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.panels.common import Banner


class RemoteScoringDialog(QDialog):
    sig_scored = Signal(object)   # RemoteScore

    def __init__(self, *, scoring: RemoteScoring, bridge: AsyncBridge, local_losses: dict[str, float] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.scoring, self.bridge, self.data_path = scoring, bridge, scoring.data_path
        self.local_losses = local_losses or {}
        self._targets: list[Target] = []
        self.setWindowTitle("Score on the network's scoring service")
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        intro = QLabel(f"Send <b>{self.data_path.name}</b> and the chosen models to the scoring service of "
                       f"<b>{scoring.network_name}</b>. It downloads the data and the "
                       "weights itself and returns the winner, its loss and the distance to the target.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.banner = Banner()
        layout.addWidget(self.banner)
        form = QFormLayout()
        self.models = QListWidget()
        self.models.setObjectName("remoteModels")
        form.addRow("Models", self.models)
        self.target = QComboBox()
        self.target.setObjectName("remoteTarget")
        form.addRow("Target", self.target)
        self.builtin = QRadioButton("Serve the file from this computer (localnet)")
        self.own_url = QRadioButton("The file is already hosted at:")
        self.url_edit = QLineEdit(placeholderText="https://…/data.bin")
        group = QButtonGroup(self)
        for button in (self.builtin, self.own_url):
            group.addButton(button)
        self.builtin.setChecked(True)
        hosting = QVBoxLayout()
        hosting.addWidget(self.builtin)
        row = QHBoxLayout()
        row.addWidget(self.own_url)
        row.addWidget(self.url_edit, 1)
        hosting.addLayout(row)
        form.addRow("Data URL", hosting)
        layout.addLayout(form)
        self.result_label = QLabel()
        self.result_label.setObjectName("remoteResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        self.score_button = QPushButton("Score remotely")
        self.score_button.setObjectName("scoreRemoteButton")
        self.score_button.setDefault(True)
        self.score_button.clicked.connect(self._on_score_clicked)
        buttons.addWidget(close)
        buttons.addWidget(self.score_button)
        layout.addLayout(buttons)
        self._load_choices()

    # ---- Private ----------------------------------------------------------------------------
    def _load_choices(self) -> None:
        self.score_button.setEnabled(False)
        self.bridge.call(self.scoring.choices(), on_result=self._on_choices_loaded, owner=self,
                         label="models and targets",
                         on_error=lambda exc: self.banner.show_message(describe_error(exc), "error"))

    def _on_choices_loaded(self, loaded: tuple[list[ModelInfo], list[Target]]) -> None:
        models, self._targets = loaded
        for model in models:
            item = QListWidgetItem(f"{model.title or short_id(model.id)}  ·  {short_id(model.id)}")
            item.setData(Qt.ItemDataRole.UserRole, model.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.models.addItem(item)
        for target in self._targets:
            self.target.addItem(f"{short_id(target.id)}  (threshold {target.distance_threshold:.4f})", target.id)
        ready = bool(models) and bool(self._targets)
        self.score_button.setEnabled(ready)
        if not ready:
            self.banner.show_message("The network has no active models with published weights, or no open "
                                     "target right now.", "warning")

    def chosen_model_ids(self) -> list[str]:
        return [self.models.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.models.count())
                if self.models.item(i).checkState() == Qt.CheckState.Checked]

    def _on_score_clicked(self) -> None:
        ids = self.chosen_model_ids()
        if not ids:
            self.banner.show_message("Choose at least one model.", "warning")
            return
        target = self._targets[self.target.currentIndex()]
        url = None if self.builtin.isChecked() else self.url_edit.text().strip()
        if url == "":
            self.banner.show_message("Enter the URL where the file is hosted.", "warning")
            return
        self.banner.show_message("Scoring on the service… the first run downloads every model.", "info")
        self.score_button.setEnabled(False)
        self.bridge.call(self.scoring.score(ids, target, url), on_result=lambda r: self._on_scored(r, ids, target),
                         on_error=self._on_failed, owner=self, timeout=900.0, label="remote scoring")

    def _on_scored(self, score: RemoteScore, ids: list[str], target: Target) -> None:
        self.score_button.setEnabled(True)
        self.banner.clear_message()
        winner_id = score.winner_model_id or ids[score.winner]
        local = self.local_losses.get(winner_id)
        verdict = "would hit" if score.distance <= target.distance_threshold else "would not hit"
        self.result_label.setText(
            f"<p><b>Winner:</b> {short_id(winner_id)} (model {score.winner + 1} of {len(ids)})</p>"
            f"<p><b>Loss (network):</b> {score.loss:.6f}"
            + (f" — local evaluation: {local:.6f}" if local is not None else "") + "</p>"
            f"<p><b>Distance to target {short_id(target.id)}:</b> {score.distance:.6f} — threshold "
            f"{target.distance_threshold:.6f}: {verdict} the target.</p>"
            f"<p>Data embedding: {len(score.embedding)} dimensions.</p>")
        self.sig_scored.emit(score)

    def _on_failed(self, exc: BaseException) -> None:
        self.score_button.setEnabled(True)
        self.banner.show_message(str(exc) if isinstance(exc, ValueError) else describe_error(exc), "error")

    def done(self, result: int) -> None:  # noqa: D401 (Qt override)
        self.bridge.call(asyncio.to_thread(self.scoring.close), label="stopping the data server")
        super().done(result)
