"""The publish wizard end to end on the real sandbox with the built-in blob server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.types import ModelState
from soma_desktop.publish.journal import JobState
from soma_desktop.ui.panels.publish import PublishPanel
from tests.ui.panels import publish_panel
from tests.ui.publish.helpers import advance, drive_to_commit, model_state, run, step_of, wait_step
from tests.ui.publish.wallet_double import DEMO_ADDRESS


def _panel(qtbot, ctx) -> PublishPanel:
    panel = publish_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 760)
    panel.show()
    return panel


def test_weights_file_to_active_model(qtbot, app, tmp_path):
    ctx = app()
    panel = _panel(qtbot, ctx)
    drive_to_commit(qtbot, ctx, panel, tmp_path)
    w = panel.wizard
    assert "Commit by the end of epoch" in w.commit_page.intro.text()
    qtbot.mouseClick(w.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    job = w.view.job
    assert job.state is JobState.COMMITTED
    from soma_desktop.ui.local_names import model_names
    assert model_names(ctx).name(job.model_id) == "Wizard model"    # the name given at publish time
    assert w.stack.currentWidget() is w.wait_page and not w.reveal_page.button.isEnabled()
    assert "epoch 1" in panel.pending_reveal_text()
    assert not w.wait_page.ics.isEnabled() and "manually" in w.wait_page.ics.toolTip()
    assert "Sandbox → Advance epoch" in w.wait_page.countdown.text()
    advance(qtbot, ctx)
    wait_step(qtbot, panel, "reveal")
    qtbot.waitUntil(lambda: panel.reveal_banner.isVisible() and "Reveal due now" in panel.reveal_banner.text())
    qtbot.mouseClick(w.reveal_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "active")
    assert model_state(ctx, run, job.model_id) is ModelState.ACTIVE
    assert not panel.reveal_banner.isVisible()
    with qtbot.waitSignal(w.sig_open_model_requested) as opened:
        qtbot.mouseClick(w.active_page.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [job.model_id]
    kinds = [tx["kind"] for tx in run(ctx, ctx.network.list_transactions(100, DEMO_ADDRESS))]
    assert kinds.count("RevealModel") == 1 and kinds.count("CommitModel") == 1 and kinds.count("CreateModel") == 1


def test_restart_between_commit_and_reveal_resumes_and_reveals(qtbot, app, tmp_path):
    ctx = app()
    panel = _panel(qtbot, ctx)
    drive_to_commit(qtbot, ctx, panel, tmp_path)
    qtbot.mouseClick(panel.wizard.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    model_id = panel.wizard.view.job.model_id
    # "kill" the app: the window and its context go away without closing the journal or the blob server
    # (like a dead process, nothing is flushed or handed over; the leftovers are only cleaned up at the end).
    leftovers = (panel.session._opened.journal, panel.session.blob_server)
    panel.deleteLater()
    ctx.shutdown()

    ctx2 = app()
    advance(qtbot, ctx2)
    panel2 = _panel(qtbot, ctx2)
    with qtbot.waitSignal(panel2.reminder.sig_notified, timeout=20_000) as notified:
        pass    # the start-up reconciliation finds the due reveal and notifies once
    assert model_id[:10] in notified.args[0] and "epoch 1" in notified.args[0]
    wait_step(qtbot, panel2, "reveal")
    assert "Reveal due now" in panel2.reveal_banner.text()
    assert panel2.wizard.view.job.model_id == model_id
    panel2.reveal_banner.linkActivated.emit(f"job:{panel2.wizard.view.job.id}")   # the banner's link
    wait_step(qtbot, panel2, "reveal")
    qtbot.mouseClick(panel2.wizard.reveal_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel2, "active")
    assert model_state(ctx2, run, model_id) is ModelState.ACTIVE
    kinds = [tx["kind"] for tx in run(ctx2, ctx2.network.list_transactions(100, DEMO_ADDRESS))]
    assert (kinds.count("CreateModel"), kinds.count("CommitModel"), kinds.count("RevealModel")) == (1, 1, 1)
    panel2.session.close()
    leftovers[1].stop()
    leftovers[0].close()


def test_offline_past_the_window_shows_the_missed_reveal_and_never_sends_it(qtbot, app, tmp_path):
    ctx = app()
    panel = _panel(qtbot, ctx)
    drive_to_commit(qtbot, ctx, panel, tmp_path)
    qtbot.mouseClick(panel.wizard.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    model_id = panel.wizard.view.job.model_id
    panel.session.close()
    panel.deleteLater()
    ctx.shutdown()

    ctx2 = app()
    advance(qtbot, ctx2, epochs=2)
    panel2 = _panel(qtbot, ctx2)
    qtbot.waitUntil(lambda: panel2.session.is_open and panel2.jobs.count() == 1, timeout=20_000)
    panel2.wizard.show_job(panel2.jobs.itemData(0))
    wait_step(qtbot, panel2, "failed")
    text = panel2.wizard.failed_page.intro.text()
    assert "reveal window passed" in text and "Slashed" in text and "1 SOMA" in text
    assert panel2.wizard.view.job.state is JobState.MISSED_REVEAL
    assert panel2.wizard.steps.item(8).text().startswith("✘")
    assert not panel2.reveal_banner.isVisible()
    assert model_state(ctx2, run, model_id) is ModelState.INACTIVE
    kinds = [tx["kind"] for tx in run(ctx2, ctx2.network.list_transactions(100, DEMO_ADDRESS))]
    assert "CommitModel" in kinds and "RevealModel" not in kinds, kinds


def test_url_serving_different_bytes_blocks_the_commit(qtbot, app, tmp_path):
    from soma_desktop.publish.blob_server import BlobServer
    from tests.ui.publish.helpers import drive_to_host

    ctx = app()
    panel = _panel(qtbot, ctx)
    w = drive_to_host(qtbot, ctx, panel, tmp_path)
    size = w.view.job.size
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "model.bin").write_bytes(bytes([7]) * size)   # right size, wrong bytes
    with BlobServer(tmp_path / "other") as server:
        w.host_page.own.setChecked(True)
        w.host_page.own_url.setText(server.url_for("model.bin"))
        qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
        wait_step(qtbot, panel, "verify")
        qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Blocked" in w.verify_page.report.text() and not panel.session.busy)
    assert "checksum" in w.verify_page.report.text()
    assert step_of(panel) == "verify" and w.view.job.state is JobState.HOSTED
    models = run(ctx, ctx.network.list_models())
    assert not [m for m in models if m.owner == DEMO_ADDRESS]
    # Recover: change the hosting to the built-in server; the same file then verifies.
    qtbot.mouseClick(w.verify_page.rehost, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "host")
    w.host_page.local.setChecked(True)
    qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "verify")
    qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "create")
    assert w.view.job.state is JobState.UPLOAD_VERIFIED
