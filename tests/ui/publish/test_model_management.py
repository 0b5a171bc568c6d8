"""Model management from the Models panel: update weights (commit → reveal), commission, deactivate; and
the corpus-computed embedding path of the wizard."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.types import ModelState
from tests.ui.publish.helpers import (
    advance,
    drive_to_commit,
    panel_window,
    run,
    wait_step,
    write_embedding,
    write_weights,
)


def _active_model(qtbot, ctx, publish, tmp_path) -> str:
    drive_to_commit(qtbot, ctx, publish, tmp_path)
    qtbot.mouseClick(publish.wizard.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "wait")
    advance(qtbot, ctx)
    wait_step(qtbot, publish, "reveal")
    qtbot.mouseClick(publish.wizard.reveal_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "active")
    return publish.wizard.view.job.model_id


def _select_mine(qtbot, models, model_id: str, state: ModelState = ModelState.ACTIVE) -> None:
    def listed() -> bool:
        row = models.table_model.row_of(model_id)
        return row >= 0 and models.table_model.models[row].state is state
    qtbot.waitUntil(listed, timeout=10_000)
    models.select_model(model_id)
    assert models.detail.model.id == model_id


def test_update_weights_commission_and_deactivate(qtbot, app, tmp_path):
    ctx = app()
    window = panel_window(ctx)
    qtbot.addWidget(window)
    window.show()
    publish = window.show_panel("publish")
    model_id = _active_model(qtbot, ctx, publish, tmp_path)
    before = run(ctx, ctx.network.get_model(model_id))

    models = window.show_panel("models")
    _select_mine(qtbot, models, model_id)
    detail = models.detail
    assert detail.owner_box.isVisible() and detail.update_weights.isEnabled()
    qtbot.mouseClick(detail.update_weights, Qt.MouseButton.LeftButton)
    assert window.currentWidget() is publish
    wait_step(qtbot, publish, "weights")
    w = publish.wizard
    assert "Update weights" in w.heading.text() and w.steps.item(5).isHidden()
    w.weights_page.path.setText(str(write_weights(tmp_path / "v2.safetensors", seed=5)))
    qtbot.mouseClick(w.weights_page.use, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "embedding")
    w.embedding_page.json_path.setText(str(write_embedding(tmp_path / "v2.json", ctx.state.target_embedding_dim, 9)))
    qtbot.mouseClick(w.embedding_page.import_, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "encrypt")
    qtbot.mouseClick(w.encrypt_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "host")
    qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "verify")
    qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "commit")
    qtbot.mouseClick(w.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "wait")
    pending = run(ctx, ctx.network.get_model(model_id))
    assert pending.state is ModelState.ACTIVE and pending.pending_update is not None
    advance(qtbot, ctx)
    wait_step(qtbot, publish, "reveal")
    qtbot.mouseClick(w.reveal_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, publish, "active")
    after = run(ctx, ctx.network.get_model(model_id))
    assert after.pending_update is None and after.manifest.checksum != before.manifest.checksum
    assert after.decryption_key != before.decryption_key

    models = window.show_panel("models")
    _select_mine(qtbot, models, model_id)
    detail = models.detail
    detail.commission.setValue(25.0)   # typed in percent: 25 % = 2,500 bps
    qtbot.mouseClick(detail.commission_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Setting the commission: done" in detail.banner.text(), timeout=10_000)
    assert run(ctx, ctx.network.get_model(model_id)).next_commission_rate == 2_500
    assert not detail.deactivate_button.isEnabled()
    detail.deactivate_confirm.setChecked(True)
    qtbot.mouseClick(detail.deactivate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Deactivating: done" in detail.banner.text(), timeout=10_000)
    assert run(ctx, ctx.network.get_model(model_id)).state is ModelState.INACTIVE
    qtbot.waitUntil(lambda: detail.model.state is ModelState.INACTIVE, timeout=10_000)
    assert "Inactive" in detail.chip.text() and not detail.stake_button.isEnabled()
    publish.session.close()


def test_embedding_computed_from_a_corpus_folder(qtbot, app, tmp_path):
    from tests.ui.publish.test_publish_wizard import _panel

    ctx = app(sandbox_embedding_dim=16)          # the tiny test model's D
    panel = _panel(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.session.is_open, timeout=20_000)
    qtbot.mouseClick(panel.new, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "weights")
    w = panel.wizard
    w.weights_page.path.setText(str(write_weights(tmp_path / "m.safetensors")))
    qtbot.mouseClick(w.weights_page.use, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "embedding")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The quick brown fox jumps over the lazy dog. " * 40)
    (corpus / "b.txt").write_text("def f(x):\n    return x * 2\n" * 30)
    w.embedding_page.folder.setText(str(corpus))
    qtbot.mouseClick(w.embedding_page.compute, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "encrypt", timeout=90_000)
    job = w.view.job
    assert job.embedding_dim == 16 and job.embedding_commitment is not None
    panel.session.close()
