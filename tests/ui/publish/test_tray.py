"""The tray icon: the next due publish action with its countdown; closing with a reveal pending keeps the app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from soma_desktop.publish.journal import JobState
from soma_desktop.ui.panels.publish import PublishPanel
from soma_desktop.ui.tray import GuardianTray
from tests.ui.panels import publish_panel
from tests.ui.publish.helpers import advance, drive_to_commit, wait_step


def _committed(qtbot, ctx, tmp_path) -> PublishPanel:
    panel = publish_panel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    drive_to_commit(qtbot, ctx, panel, tmp_path)
    qtbot.mouseClick(panel.wizard.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    assert panel.wizard.view.job.state is JobState.COMMITTED
    return panel


def test_tray_shows_the_next_reveal_and_keeps_the_app_once_told(qtbot, app, tmp_path):
    ctx = app()
    panel = _committed(qtbot, ctx, tmp_path)
    commit_epoch = panel.wizard.view.job.commit_epoch
    shell = QWidget()                      # the window the tray hides and shows; it reads nothing from it
    qtbot.addWidget(shell)
    shell.show()
    tray = GuardianTray(shell, chain=ctx, publish=lambda: panel, available=True)
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


def test_next_due_counts_down_with_timed_epochs():
    from types import SimpleNamespace

    from soma_desktop.publish.journal import Job, JobKind
    from soma_desktop.ui.tray import next_due

    hour = 3_600_000
    job = Job.__new__(Job)
    fields = {f: None for f in Job.__dataclass_fields__}
    fields.update(id=1, kind=JobKind.PUBLISH, state=JobState.COMMITTED, commit_epoch=7, model_id="0x" + "ab" * 32,
                  send_attempts=0)
    for key, value in fields.items():
        object.__setattr__(job, key, value)
    state = SimpleNamespace(epoch=7, epoch_duration_ms=24 * hour)
    assert next_due([job], state, 2 * hour) == "Reveal of model 0xababab…abab opens in epoch 8: in 02:00:00"
    state.epoch = 8
    assert next_due([job], state, 5 * hour) == "Reveal model 0xababab…abab now: 05:00:00 left (epoch 8)"
    state.epoch = 6
    assert "1d 02:00:00" in next_due([job], state, 2 * hour)
    assert next_due([], state, hour) == ""
