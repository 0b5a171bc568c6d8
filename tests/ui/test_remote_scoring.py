"""Remote scoring from the app: a file and registry models go to a scoring service, served from our blob
server, and the service's winner and loss show beside the local evaluation."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from PySide6.QtCore import Qt

from soma_desktop.core.paths import resources_dir
from soma_desktop.ui.remote_scoring import RemoteScoringDialog
from tests.ui.conftest import sdk_localnet_context

TEXT = b"The quick brown fox jumps over the lazy dog. " * 40


def service_scorer(request: dict) -> dict:
    """What `soma start scoring` does, in miniature: fetch the data over HTTP, check it, run V1 on it."""
    from soma_desktop.core.crypto import b58decode
    from soma_desktop.engine import load_model, score_bytes

    data = httpx.get(request["data_url"], timeout=10).content
    assert len(data) == request["data_size"]
    assert hashlib.blake2b(data, digest_size=32).digest() == b58decode(request["data_checksum"])
    # Sandbox demo manifests point at the bundled plaintext files (deviation D8).
    paths = [resources_dir() / m["url"].removeprefix("resource://") for m in request["model_manifests"]]
    result = score_bytes([load_model(p) for p in paths], data, seed=request["seed"],
                         target_embedding=request["target_embedding"])
    best = result.models[result.winner]
    return {"winner": result.winner, "loss_score": [best.loss], "embedding": [float(v) for v in best.embedding],
            "distance": [best.distance]}


@pytest.fixture
def remote_ctx(qtbot, data_dir, tmp_path):
    with sdk_localnet_context(qtbot, data_dir, tmp_path / "chain.db", scorer=service_scorer) as ctx:
        yield ctx


def test_remote_score_matches_local_evaluation(qtbot, remote_ctx, tmp_path):
    from soma_desktop.engine import load_model, score_bytes

    data_path = tmp_path / "fox.txt"
    data_path.write_bytes(TEXT)
    dialog = RemoteScoringDialog(scoring=remote_ctx.services.evaluate.remote_scoring(data_path),
                                 bridge=remote_ctx.bridge)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.score_button.isEnabled(), timeout=20_000)
    assert dialog.models.count() == 3 and dialog.target.count() > 0
    dialog.models.item(2).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.score_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.sig_scored, timeout=120_000) as blocker:
        pass
    score = blocker.args[0]
    ids = dialog.chosen_model_ids()
    models = {m.id: m for m in remote_ctx.bridge.run_blocking(remote_ctx.network.list_models())}
    local = score_bytes([load_model(resources_dir() / models[i].manifest.url.removeprefix("resource://"))
                         for i in ids], TEXT)
    assert score.winner == local.winner
    assert score.loss == pytest.approx(local.models[local.winner].loss, abs=1e-6)
    assert "Winner:" in dialog.result_label.text() and "threshold" in dialog.result_label.text()
    dialog.close()


def test_empty_file_is_refused_before_anything_is_sent(qtbot, remote_ctx, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    dialog = RemoteScoringDialog(scoring=remote_ctx.services.evaluate.remote_scoring(empty), bridge=remote_ctx.bridge)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.score_button.isEnabled(), timeout=20_000)
    qtbot.mouseClick(dialog.score_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "empty" in dialog.banner.text(), timeout=10_000)
    assert dialog.result_label.text() == ""


def test_evaluate_panel_offers_remote_scoring_where_a_service_exists(qtbot, remote_ctx, tmp_path):
    from tests.ui.evaluate.evaluate_helpers import drop_files, make_panel

    data_path = tmp_path / "fox.txt"
    data_path.write_bytes(TEXT)
    panel = make_panel(qtbot, remote_ctx)
    assert not panel.remote_button.isEnabled()          # no file yet
    drop_files(panel, [data_path])
    qtbot.waitUntil(lambda: panel.remote_button.isEnabled(), timeout=10_000)
    dialog = panel.open_remote_scoring()
    qtbot.addWidget(dialog)
    assert dialog.data_path == data_path
    dialog.close()


def test_sandbox_has_no_scoring_service(qtbot, ctx, tmp_path):
    from tests.ui.evaluate.evaluate_helpers import drop_files, make_panel

    data_path = tmp_path / "fox.txt"
    data_path.write_bytes(TEXT)
    panel = make_panel(qtbot, ctx)
    drop_files(panel, [data_path])
    qtbot.waitUntil(lambda: panel.run_button.isEnabled() or bool(panel.inputs.ready_files()), timeout=10_000)
    assert not panel.remote_button.isEnabled() and "no scoring service" in panel.remote_button.toolTip()
