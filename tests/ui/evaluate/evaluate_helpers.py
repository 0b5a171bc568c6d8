"""Shared steps for the Evaluate-panel tests: drop files, tick models, run, wait."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from soma_desktop.ui.local_names import model_names
from soma_desktop.ui.panels.evaluate import EvaluatePanel

RUN_TIMEOUT_MS = 60_000


def evaluate_panel_for(ctx) -> EvaluatePanel:
    """The panel wired from an AppContext's pieces, as the main window's factory does."""
    return EvaluatePanel(evaluate=ctx.services.evaluate, models=ctx.services.models, chain=ctx, bridge=ctx.bridge,
                         settings=ctx.settings, save_settings=ctx.save_settings, wallet=ctx.wallet,
                         names=model_names(ctx))


def make_panel(qtbot, ctx, request=None) -> EvaluatePanel:
    panel = evaluate_panel_for(ctx)
    qtbot.addWidget(panel, before_close_func=lambda w: w.shutdown())
    panel.resize(1300, 850)
    panel.show()
    return panel


def drop_files(panel: EvaluatePanel, paths: list[Path]) -> None:
    """Deliver a real QDropEvent carrying file URLs, as a file manager drag would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)


def add_models(qtbot, panel: EvaluatePanel, paths: list[Path]) -> None:
    """Click “Add safetensors…” with the file dialog answered by `paths`."""
    panel.models.ask_weights = lambda: list(paths)
    qtbot.mouseClick(panel.models.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.models.checked()) == len(paths), timeout=10_000)


def click_run_and_wait(qtbot, panel: EvaluatePanel, prefix: str = "Finished") -> None:
    qtbot.waitUntil(panel.run_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith(prefix), timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(panel.controller.thread_finished, timeout=10_000)


def table_column(panel: EvaluatePanel, column: int) -> list[str]:
    return [panel.table.item(r, column).text() for r in range(panel.table.rowCount())]
