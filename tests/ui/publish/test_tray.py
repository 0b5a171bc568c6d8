"""The tray icon: the next due publish action with its countdown; closing with a reveal pending keeps the app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from soma_desktop.publish.journal import JobState
from soma_desktop.ui.panels.publish import PublishPanel
from soma_desktop.ui.tray import GuardianTray
from tests.ui.publish.helpers import advance, drive_to_commit, wait_step


def _committed(qtbot, ctx, tmp_path) -> PublishPanel:
    panel = PublishPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    drive_to_commit(qtbot, ctx, panel, tmp_path)
    qtbot.mouseClick(panel.wizard.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    assert panel.wizard.view.job.state is JobState.COMMITTED
    return panel


class Shell(QWidget):
    """The two things the tray reads from the main window."""

    def __init__(self, ctx, panel):
        super().__init__()
        self.ctx, self.panels = ctx, {"publish": panel}


def test_tray_shows_the_next_reveal_and_keeps_the_app_once_told(qtbot, app, tmp_path):
    ctx = app()
    panel = _committed(qtbot, ctx, tmp_path)
    commit_epoch = panel.wizard.view.job.commit_epoch
    shell = Shell(ctx, panel)
    qtbot.addWidget(shell)
    shell.show()
    tray = GuardianTray(shell, available=True)
    shown = []
    tray.icon.showMessage = lambda *args: shown.append(args[1])
    text = tray.due_text()
    assert text.startswith("Reveal of model 0x") and f"opens in epoch {commit_epoch + 1}" in text
    assert "when epochs are advanced" in text                     # manual sandbox epochs: no fake countdown

    assert tray.keep_in_tray() and not shell.isVisible()
    shell.show()
    assert tray.keep_in_tray()
    assert len(shown) == 1 and "tray" in shown[0]                 # said once

    advance(qtbot, ctx)
    qtbot.waitUntil(lambda: tray.due_text().startswith("Reveal model 0x"), timeout=10_000)
    assert f"(epoch {commit_epoch + 1})" in tray.due_text()
