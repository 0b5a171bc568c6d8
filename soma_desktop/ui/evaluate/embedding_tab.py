"""Embedding tab: the map (targets, models, data embeddings) beside exact distances to every target."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from soma_desktop.core.settings import Settings
from soma_desktop.network.types import ModelInfo, Target
from soma_desktop.protocol.distance import selection_weights
from soma_desktop.services.evaluate.results import FileTrack, cosine_distance, submit_candidate, would_hit
from soma_desktop.services.evaluate.service import EvaluateService
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.evaluate.tables import TargetRow, TargetTable
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.plots.colormap import MODEL_COLORS
from soma_desktop.ui.plots.embedding_map import STATUS_COLORS, EmbeddingMap, MapPoint


def model_title(info: ModelInfo) -> str:
    return info.title or f"{info.id[:10]}…"


class EmbeddingTab(QWidget):
    sig_target_selected = Signal(str)
    """Target id chosen in the table or on the map ('' for none)."""
    sig_submit_requested = Signal(str)
    """Submit… pressed for this target id."""

    def __init__(self, *, chain: ChainStatus, evaluate: EvaluateService, settings: Settings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.chain, self.evaluate, self.settings = chain, evaluate, settings
        self.targets: list[Target] = []
        self.models: list[ModelInfo] = []
        self.track: FileTrack | None = None
        self.map = EmbeddingMap()
        self.table = TargetTable()
        self.summary = QLabel("Run an evaluation to compare the file's data embedding with the network's targets.")
        self.summary.setWordWrap(True)
        self.map.sig_target_clicked.connect(self.table.select_target)
        self.table.sig_target_selected.connect(self._on_table_target_selected)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.submit_button = QPushButton("Submit…")
        self.submit_button.setObjectName("submitDataButton")
        self.submit_button.clicked.connect(lambda: self.sig_submit_requested.emit(self.table.selected_id()))
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.submit_button)
        right_layout.addLayout(top)
        right_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.map)
        split.addWidget(right)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setSizes([560, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    # ---- Public API --------------------------------------------------------------------------------
    def set_network_data(self, targets: list[Target] | None = None, models: list[ModelInfo] | None = None) -> None:
        if targets is not None:
            self.targets = list(targets)
        if models is not None:
            self.models = list(models)
        self.refresh()

    def show_track(self, track: FileTrack | None) -> None:
        self.track = track
        self.refresh()

    def data_embedding(self) -> tuple[np.ndarray | None, str]:
        """The winner's data embedding (what the network would submit), or the first model's while partial."""
        track = self.track
        if track is None or not track.models:
            return None, ""
        if track.winner is not None:
            model = track.models[track.winner]
            return model.embedding, model.ref.label
        model = track.models[0]
        return model.embedding, f"{model.ref.label} (partial)"

    def selected_target_embedding(self) -> np.ndarray | None:
        chosen = self.table.selected_id()
        for target in self.targets:
            if target.id == chosen:
                return np.asarray(target.embedding, dtype=np.float32)
        return None

    def refresh(self) -> None:
        embedding, label = self.data_embedding()
        dim = embedding.shape[0] if embedding is not None else (len(self.targets[0].embedding) if self.targets else 0)
        titles = {m.id: model_title(m) for m in self.models}
        targets = [t for t in self.targets if len(t.embedding) == dim]
        rows = [TargetRow(t.id, t.status.value, np.asarray(t.embedding, dtype=np.float32), float(t.distance_threshold),
                          tuple(titles.get(i, i[:10] + "…") for i in t.model_ids)) for t in targets]
        self.table.show_targets(rows, embedding, label)
        self._update_summary(rows, embedding, label, skipped=len(self.targets) - len(targets))
        self._update_map(targets, dim)
        self._sync_submit()

    # ---- Private -----------------------------------------------------------------------------------
    def _update_summary(self, rows: list[TargetRow], embedding, label: str, skipped: int) -> None:
        if not self.chain.is_open:
            self.summary.setText("Not connected: targets come from the network.")
            return
        if embedding is None:
            self.summary.setText(f"{len(rows)} targets on this network. Run an evaluation to see which ones this "
                                 "file would hit.")
            return
        hits = [r for r in rows if would_hit(self.table.distances.get(r.id, math.nan), r.threshold)]
        text = (f"With <b>{label}</b>'s data embedding this file would hit <b>{len(hits)}</b> of {len(rows)} "
                "targets (distance ≤ threshold)")
        if hits:
            text += ": " + ", ".join(h.id[:10] + "…" for h in hits[:4])
        if skipped:
            text += f". {skipped} targets use another embedding size and are not compared"
        self.summary.setText(text + ".")

    def _update_map(self, targets: list[Target], dim: int) -> None:
        anchors: list[MapPoint] = []
        shaped = [m for m in self.models if m.embedding is not None and len(m.embedding) == dim]
        powers = dict(zip((m.id for m in shaped), selection_weights([m.stake for m in shaped])))
        embedding, _label = self.data_embedding()
        for target in targets:
            vector = np.asarray(target.embedding, dtype=np.float32)
            distance = cosine_distance(embedding, vector) if embedding is not None else math.nan
            tip = (f"Target {target.id}\nstatus {target.status.value}\nthreshold {target.distance_threshold:.6f}\n"
                   f"reward {amount_text(target.reward_pool, hidden=self.settings.hide_amounts)}\n"
                   f"distance {distance:.6f}\nassigned: {', '.join(i[:10] for i in target.model_ids) or '—'}")
            anchors.append(MapPoint("target", target.id, vector, tip,
                                    STATUS_COLORS.get(target.status.value, (120, 120, 120))))
        for model in shaped:
            share = powers[model.id]
            anchors.append(MapPoint("model", model.id, np.asarray(model.embedding, dtype=np.float32),
                                    f"Model {model_title(model)}\n{model.id}\nvoting power {share:.3f}",
                                    (124, 58, 237), 8 + 16 * share))
        data = []
        if self.track is not None:
            for index, model in enumerate(self.track.models):
                if model.embedding is not None and model.embedding.shape[0] == dim:
                    state = "final" if model.final else model.status
                    data.append(MapPoint("data", model.ref.label, model.embedding,
                                         f"Data embedding of {self.track.label}\nwith {model.ref.label} ({state})",
                                         _rgb(MODEL_COLORS[index % len(MODEL_COLORS)]), 16))
        self.map.selected_target = self.table.selected_id()
        self.map.set_points(anchors, data)

    def _on_table_target_selected(self, target_id: str) -> None:
        self.map.selected_target = target_id
        self.refresh_map_only()
        self._sync_submit()
        self.sig_target_selected.emit(target_id)

    def _sync_submit(self) -> None:
        """Submit… for a selected open target that a finished, assigned model's data embedding would hit."""
        chosen = self.table.selected_id()
        target = next((t for t in self.targets if t.id == chosen), None)
        why = ("This network does not accept data submissions"
               if not self.chain.is_open or not self.evaluate.can_submit_data()
               else "Select a target in the table" if target is None
               else "" if submit_candidate(self.track, target) is not None
               else "Only an open target that a finished model assigned to it would hit can take this file "
                    "(files over 1 MiB cannot be submitted)")
        self.submit_button.setEnabled(not why)
        self.submit_button.setToolTip(why or "Host this file and submit it to the selected target (bond + fee)")

    def refresh_map_only(self) -> None:
        embedding, _l = self.data_embedding()
        dim = embedding.shape[0] if embedding is not None else (len(self.targets[0].embedding) if self.targets else 0)
        self._update_map([t for t in self.targets if len(t.embedding) == dim], dim)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
