"""The Publish panel with the real WalletSession: the journal is sealed with the vault's journal key, closes
on lock and resumes the same job after unlocking again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.sandbox.genesis import SANDBOX_DEMO_ADDRESS, SANDBOX_DEMO_MNEMONIC
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.vault import Argon2Params, VaultPolicy
from tests.ui.publish.helpers import wait_step, write_embedding, write_weights
from tests.ui.publish.test_publish_wizard import _panel

FAST = Argon2Params(m_kib=64, t=1, p=1)


def test_journal_sealed_by_the_vault_survives_lock_and_unlock(qtbot, app, tmp_path):
    ctx = app()
    wallet = WalletSession(ctx, policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    ctx.wallet = wallet
    errors: list[BaseException] = []
    with qtbot.waitSignal(wallet.sig_unlocked, timeout=20_000):
        wallet.create("correct horse battery", mnemonic=SANDBOX_DEMO_MNEMONIC, on_done=lambda _v: None,
                      on_error=errors.append)
    assert wallet.current_account().address == SANDBOX_DEMO_ADDRESS
    panel = _panel(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.session.is_open, timeout=20_000)
    qtbot.mouseClick(panel.new, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "weights")
    w = panel.wizard
    w.weights_page.path.setText(str(write_weights(tmp_path / "m.safetensors")))
    qtbot.mouseClick(w.weights_page.use, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "embedding")
    w.embedding_page.json_path.setText(str(write_embedding(tmp_path / "e.json", ctx.state.target_embedding_dim)))
    qtbot.mouseClick(w.embedding_page.import_, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "encrypt")
    qtbot.mouseClick(w.encrypt_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "host")
    job_id = w.view.job.id

    wallet.lock()
    assert not panel.session.is_open and panel.locked.isVisible() and not panel.new.isEnabled()
    with qtbot.waitSignal(wallet.sig_unlocked, timeout=20_000):
        wallet.unlock("correct horse battery", on_done=lambda _s: None, on_error=errors.append)
    assert errors == []
    qtbot.waitUntil(lambda: panel.session.is_open and panel.wizard.view is not None
                    and panel.wizard.view.job.id == job_id, timeout=20_000)
    wait_step(qtbot, panel, "host")
    qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "verify")
    qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)   # decrypts with the key sealed before
    wait_step(qtbot, panel, "create")
    panel.session.close()
    wallet.lock()
