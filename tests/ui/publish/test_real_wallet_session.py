"""The Publish panel with the real WalletSession: the journal is sealed with the vault's journal key, closes
on lock and resumes the same job after unlocking again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.sandbox.genesis import SANDBOX_DEMO_ADDRESS, SANDBOX_DEMO_MNEMONIC
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.vault import Argon2Params, VaultPolicy
from tests.ui.publish.helpers import drive_to_host, wait_step
from tests.ui.publish.test_publish_wizard import _panel

FAST = Argon2Params(m_kib=64, t=1, p=1)


def test_journal_sealed_by_the_vault_survives_lock_and_unlock(qtbot, app, tmp_path):
    ctx = app()
    wallet = WalletSession(ctx.wallet_env(), policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    ctx.wallet = wallet
    errors: list[BaseException] = []
    with qtbot.waitSignal(wallet.sig_unlocked, timeout=20_000):
        wallet.create("correct horse battery", mnemonic=SANDBOX_DEMO_MNEMONIC, on_done=lambda _v: None,
                      on_error=errors.append)
    assert wallet.current_account().address == SANDBOX_DEMO_ADDRESS
    panel = _panel(qtbot, ctx)
    w = drive_to_host(qtbot, ctx, panel, tmp_path)
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
