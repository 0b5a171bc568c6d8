"""Publish panel: the rules and deadlines of the live network for create -> commit -> reveal."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from soma_desktop.network.base import SystemState
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.format import amount_text, duration_text
from soma_desktop.ui.panels.common import PanelHeader


class PublishPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Publish", "Create a model, commit encrypted weights, reveal the key in the "
                                                "next epoch. A missed reveal is slashed 50% of the stake."))
        self.rules = QLabel()
        self.rules.setObjectName("publishRules")
        self.rules.setWordWrap(True)
        layout.addWidget(self.rules)
        layout.addStretch(1)
        ctx.state_changed.connect(self._show)
        if ctx.state is not None:
            self._show(ctx.state)

    def _show(self, s: SystemState) -> None:
        self.rules.setText(
            f"<p>Current epoch: <b>{s.epoch}</b> (epochs last {duration_text(s.epoch_duration_ms)}).</p>"
            f"<p>Minimum model stake: <b>{amount_text(s.model_min_stake)}</b>. "
            f"Architecture version: <b>{s.architecture_version}</b>. "
            f"Embedding dimension: <b>{s.target_embedding_dim}</b>.</p>"
            f"<p>Commit in the epoch you create the model or the next one; reveal in exactly the epoch after "
            f"the commit (a commit now must be revealed in epoch {s.epoch + 1}).</p>")
