"""Staking to a model from the Models tab, the epoch countdown, an unknown outcome kept as pending,
renaming, and restoring a wallet from its phrase at the unlock screen."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from soma_desktop.network.errors import StatusUnknown
from soma_desktop.services.chain_cache import Touch, coins_key
from soma_desktop.ui.wallet.import_dialog import TAB_PHRASE
from soma_desktop.wallet.history import TxKind
from tests.ui.conftest import run
from tests.ui.wallet.helpers import create_wallet_via_wizard, table_texts, wait_banner

DEMO_PHRASE = " ".join(["abandon"] * 11 + ["about"])


def test_stake_to_model_and_unknown_outcome(qtbot, ctx, session, wallet_panel, staking_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    run(ctx, ctx.network.request_faucet(account.address))
    staking_panel.refresh()
    qtbot.waitUntil(lambda: staking_panel.models_table.rowCount() > 0 and bool(staking_panel.snapshot.coins),
                    timeout=10_000)
    staking_panel.tabs.setCurrentIndex(1)
    staking_panel.models_table.selectRow(0)
    model_id = staking_panel.snapshot.models[0].id
    assert staking_panel.stake_model_button.isEnabled()
    qtbot.mouseClick(staking_panel.stake_model_button, Qt.MouseButton.LeftButton)
    dialog = staking_panel.active_dialog
    assert dialog.target()[:2] == ("model", model_id)
    assert "no rewards" in dialog.when_label.text()
    dialog.amount.edit.setText("0.25")
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stake_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "Staked 0.25 SOMA")
    qtbot.waitUntil(lambda: table_texts(staking_panel.positions_table, 4) == ["Activating – epoch 1"], timeout=10_000)
    run(ctx, ctx.network.advance_epoch())
    with qtbot.waitSignal(ctx.epoch_changed, timeout=10_000):
        ctx.refresh()
    qtbot.waitUntil(lambda: table_texts(staking_panel.positions_table, 4) == ["Supports routing – no rewards"],
                    timeout=10_000)

    # the network timed out after sending: the record stays pending and says not to resend
    async def timed_out():
        raise StatusUnknown("No confirmation within 60 s.", digest="9xyz")
    errors: list = []
    job = ctx.services.wallet.submit(TxKind.TRANSFER, account.address, 5, model_id, timed_out,
                                     Touch.of(coins_key(account.address)))
    session.tracker.run(job, lambda _out: None, errors.append, "transfer")
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    qtbot.waitUntil(lambda: table_texts(wallet_panel.history_table, 5)[:1] == ["Checking… do not resend"],
                    timeout=10_000)
    assert "awaiting confirmation" in wallet_panel.history_note.text()


def test_epoch_countdown_from_chain_state(qtbot, ctx, staking_panel, monkeypatch):
    assert "advance manually" in staking_panel.epoch_label.text()
    state = dataclasses.replace(ctx.state, timed_epochs=True, epoch_start_ms=1_000_000, epoch_duration_ms=600_000)
    monkeypatch.setattr(ctx, "chain_now_ms", lambda: 1_000_000 + 600_000 - 125_000)
    ctx.state = state
    ctx.state_changed.emit(state)
    assert staking_panel.epoch_label.text() == f"<b>Epoch {state.epoch}</b> · next epoch in ≈ 02:05"


def test_rename_and_restore_from_phrase(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    qtbot.mouseClick(wallet_panel.rename_button, Qt.MouseButton.LeftButton)
    wallet_panel.active_dialog.setTextValue("Savings")
    wallet_panel.active_dialog.accept()
    wait_banner(qtbot, wallet_panel.banner, "Renamed to Savings")
    qtbot.waitUntil(lambda: table_texts(wallet_panel.accounts_table, 0) == ["Savings"], timeout=10_000)

    session.lock()
    session.request_unlock(wallet_panel)
    qtbot.mouseClick(session.dialog.restore_button, Qt.MouseButton.LeftButton)
    restore = session.dialog
    assert restore.replace and restore.current_tab() == TAB_PHRASE
    assert restore.cancel_button.isDefault() and not restore.import_button.isDefault()
    asked = []
    restore.confirm_replace = lambda: asked.append(True) or True
    restore.phrase_edit.setPlainText(DEMO_PHRASE.replace("about", "abandon"))
    restore.password_edit.setText("another password")
    restore.confirm_edit.setText("another password")
    qtbot.mouseClick(restore.import_button, Qt.MouseButton.LeftButton)
    assert "checksum" in restore.error.text() and not session.is_unlocked()
    restore.phrase_edit.setPlainText(DEMO_PHRASE)
    qtbot.mouseClick(restore.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(session.is_unlocked, timeout=20_000)
    assert asked == [True]          # the replacement was confirmed once, after the phrase was valid
    assert [a.address[:10] for a in session.accounts()] == ["0x5e93a736"]
