"""Evaluate panel: the models available for local evaluation."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

from soma_desktop.ui.context import AppContext
from soma_desktop.ui.panels.common import PanelHeader


class EvaluatePanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Evaluate", "Score your data with the network's exact V1 loss."))
        self.models = QListWidget()
        layout.addWidget(self.models)
        from soma_desktop.engine.demo import list_demo_models

        for model in list_demo_models():
            self.models.addItem(f"{model.title} — {model.corpus}")
