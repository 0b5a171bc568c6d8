"""Getting keys in and out, and keeping them locked: CLI keystore import, lock/unlock, auto-lock,
keyring unlock, sandbox demo import, change password, export behind password re-entry."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.ui.wallet.export_dialog import ExportDialog
from soma_desktop.ui.wallet.import_dialog import TAB_CLI, TAB_DEMO, TAB_PHRASE, TAB_SECRET, ImportDialog
from soma_desktop.ui.wallet.password_dialog import ChangePasswordDialog
from soma_desktop.ui.wallet.unlock_dialog import UnlockDialog
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.cli_keystore import read_cli_keys
from soma_desktop.wallet.keyring_unlock import DeviceUnlock
from soma_desktop.wallet.keys import KeyWiped
from soma_desktop.wallet.vault import VaultLocked
from tests.ui.wallet.conftest import FAST_POLICY
from tests.ui.wallet.helpers import (
    PASSWORD,
    build_wallet_panel,
    create_wallet_via_wizard,
    table_texts,
    wait_banner,
)


def _write_cli_config(folder, vectors) -> list[dict]:
    cases = vectors["keypair_from_mnemonic"]
    folder.mkdir()
    (folder / "soma.keystore").write_text(json.dumps([c["cli_keystore_entry_b64"] for c in cases]))
    (folder / "soma.aliases").write_text(json.dumps(
        [{"alias": f"cli-{i}", "public_key_base64": c["cli_aliases_public_key_base64"]} for i, c in enumerate(cases)]))
    return cases


def test_import_cli_keystore_as_new_wallet(qtbot, ctx, session, wallet_panel, vectors, tmp_path):
    cases = _write_cli_config(tmp_path / "soma_config", vectors)
    assert wallet_panel.pages.currentIndex() == 0                 # no wallet yet
    qtbot.mouseClick(wallet_panel.create_button, Qt.MouseButton.LeftButton)
    wizard = session.dialog
    wizard.import_choice.setChecked(True)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    dialog = session.dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible() and dialog.password_box.isVisible()
    dialog.select_tab(TAB_CLI)
    dialog.cli_dir_edit.setText(str(tmp_path / "soma_config"))
    qtbot.mouseClick(dialog.cli_read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.cli_list.count() == 2, timeout=10_000)
    assert "0x" + cases[0]["address"] in dialog.cli_list.item(0).text()
    dialog.password_edit.setText(PASSWORD)
    dialog.confirm_edit.setText(PASSWORD)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(session.is_unlocked, timeout=20_000)
    assert [(a.name, a.address) for a in session.accounts()] == [
        (f"cli-{i}", "0x" + c["address"]) for i, c in enumerate(cases)]
    assert session.accounts()[0].secret_key().hex() == cases[0]["secret_key_hex"]
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.rowCount() == 2, timeout=10_000)
    # a wallet without a phrase cannot derive accounts, and says so
    assert not wallet_panel.add_button.isEnabled() and "recovery phrase" in wallet_panel.add_button.toolTip()
    # the sandbox's demo account lives at the vector's address and is funded
    assert cases[0]["address"] == SANDBOX_DEMO_ADDRESS[2:]
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.item(0, 2).text() == "100,000 SOMA", timeout=10_000)


def test_import_secret_key_and_sandbox_demo_into_wallet(qtbot, ctx, session, wallet_panel, vectors):
    create_wallet_via_wizard(qtbot, wallet_panel)
    assert wallet_panel.demo_action.isVisible()
    wallet_panel.open_import()
    dialog = wallet_panel.active_dialog
    assert not dialog.tabs.isTabEnabled(dialog._tab_keys.index(TAB_PHRASE))   # one phrase per wallet
    assert dialog.current_tab() == TAB_SECRET and not dialog.password_box.isVisible()
    dialog.secret_edit.setText("somaprivkey1notavalidkey")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().startswith("That is not a SOMA secret key")
    cases = vectors["keypair_from_mnemonic"]
    dialog.secret_edit.setText("0x" + cases[1]["secret_key_hex"])           # hex form
    dialog.secret_name.setText("Film")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Imported 1 account(s).")
    assert session.accounts()[1].address == "0x" + cases[1]["address"]
    assert session.accounts()[1].name == "Film"

    wallet_panel.banner.clear_message()
    wallet_panel.open_import()
    dialog = wallet_panel.active_dialog
    dialog.secret_edit.setText(cases[0]["encoded_bech32"])                  # somaprivkey1… form
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Imported 1 account(s).")
    assert session.accounts()[2].address == SANDBOX_DEMO_ADDRESS

    wallet_panel.banner.clear_message()
    wallet_panel.open_demo_import()
    dialog = wallet_panel.active_dialog
    assert dialog.current_tab() == TAB_DEMO
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Those keys are already in this wallet.")
    assert len(session.accounts()) == 3
    qtbot.waitUntil(lambda: "100,000 SOMA" in table_texts(wallet_panel.accounts_table, 2), timeout=10_000)


def test_lock_wrong_password_unlock_and_autolock(qtbot, ctx, session, wallet_panel, clock):
    create_wallet_via_wizard(qtbot, wallet_panel)
    address = session.current_account().address
    account = session.current_account()
    with qtbot.waitSignal(session.sig_locked):
        qtbot.mouseClick(wallet_panel.lock_button, Qt.MouseButton.LeftButton)
    assert wallet_panel.pages.currentIndex() == 1 and session.current_account() is None
    assert wallet_panel.accounts_table.rowCount() == 0
    with pytest.raises(KeyWiped, match="unlock"):
        account.secret_key()

    qtbot.mouseClick(wallet_panel.unlock_button, Qt.MouseButton.LeftButton)
    dialog = session.dialog
    assert isinstance(dialog, UnlockDialog)
    qtbot.waitUntil(lambda: "1 account(s)" in dialog.accounts_label.text(), timeout=10_000)
    assert address[:8] in dialog.accounts_label.text()
    qtbot.keyClicks(dialog.password_edit, "not the password")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() == "Wrong password. Try again.", timeout=10_000)
    assert not session.is_unlocked()
    dialog.password_edit.setText(PASSWORD)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(session.is_unlocked, timeout=10_000)
    assert session.current_account().address == address and wallet_panel.pages.currentIndex() == 2

    # idle longer than ctx.settings.auto_lock_minutes → locked by the timer; activity resets the clock
    idle = ctx.settings.auto_lock_minutes * 60
    clock.now += idle - 5
    session.touch()
    clock.now += idle - 5
    qtbot.wait(150)
    assert session.is_unlocked()
    clock.now += 10
    qtbot.waitUntil(lambda: not session.is_unlocked(), timeout=5_000)
    assert wallet_panel.pages.currentIndex() == 1
    with pytest.raises(VaultLocked):
        session.journal_key()


def test_keyring_unlock_without_password(qtbot, ctx, clock, memory_keyring):
    """With an allowed OS keyring the wallet remembers a device key and unlocks without the password."""
    session = WalletSession(ctx.wallet_env(), policy=FAST_POLICY, clock=clock,
                            device_unlock=DeviceUnlock(is_allowed=lambda b: True))
    ctx.wallet = session
    panel = build_wallet_panel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    create_wallet_via_wizard(qtbot, panel, remember=True)
    qtbot.waitUntil(session.is_remembered, timeout=10_000)
    assert len(memory_keyring.store) == 1
    stored = next(iter(memory_keyring.store.values()))
    assert len(stored) == 44                                       # a 32-byte device key, nothing else
    key = session.journal_key()
    assert len(key) == 32
    session.lock()
    session.request_unlock(panel)
    qtbot.waitUntil(session.is_unlocked, timeout=10_000)           # no password typed
    assert session.journal_key() == key


def test_change_password_then_export(qtbot, ctx, session, wallet_panel, tmp_path):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    wallet_panel.open_change_password()
    dialog = wallet_panel.active_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    dialog.old_edit.setText("wrong password")
    dialog.new_edit.setText("new password 1")
    dialog.confirm_edit.setText("new password 1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() == "The current password is wrong.", timeout=10_000)
    dialog.old_edit.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Password changed.")

    wallet_panel.open_export()
    export = wallet_panel.active_dialog
    assert isinstance(export, ExportDialog)
    export.password_edit.setText(PASSWORD)                         # the old one no longer works
    qtbot.mouseClick(export.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: export.error.text() == "Wrong password.", timeout=10_000)
    assert export.key_edit.text() == ""
    export.password_edit.setText("new password 1")
    qtbot.mouseClick(export.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: export.key_edit.text().startswith("somaprivkey1"), timeout=10_000)
    cli = tmp_path / "cli"
    export.cli_dir_edit.setText(str(cli))
    export.alias_edit.setText("desk-1")
    qtbot.mouseClick(export.cli_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "as 'desk-1'" in export.result_label.text(), timeout=10_000)
    keys = read_cli_keys(cli)
    assert [(k.alias, k.address) for k in keys] == [("desk-1", account.address)]
    export.close()
    assert export.key_edit.text() == ""
