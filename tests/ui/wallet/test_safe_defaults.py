"""Enter presses the safe, expected button of every wallet dialog; destructive actions never default and
confirm first; panels say "Create or import a wallet" when there is none; the stake limit is explained."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from soma_desktop.core.amounts import SHANNONS_PER_SOMA, format_soma
from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog
from soma_desktop.ui.wallet.create_wizard import CreateWalletDialog
from soma_desktop.ui.wallet.export_dialog import ExportDialog
from soma_desktop.ui.wallet.import_dialog import ImportDialog
from soma_desktop.ui.wallet.password_dialog import ChangePasswordDialog
from soma_desktop.ui.wallet.send_dialog import SendDialog
from soma_desktop.ui.wallet.stake_dialog import StakeDialog
from soma_desktop.ui.wallet.unlock_dialog import UnlockDialog
from tests.ui.conftest import run
from tests.ui.panels import publish_panel
from tests.ui.wallet.helpers import (
    PASSWORD,
    build_send_dialog,
    build_stake_dialog,
    create_wallet_via_wizard,
    wait_banner,
)

SOMA = SHANNONS_PER_SOMA


def _defaults(dialog) -> list[QPushButton]:
    buttons = dialog.findChildren(QPushButton)
    assert not [b.text() for b in buttons if b.autoDefault()], "a focused button would take Enter"
    return [b for b in buttons if b.isDefault()]


def test_enter_in_unlock_unlocks_and_never_opens_restore(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    session.lock()
    qtbot.mouseClick(wallet_panel.unlock_button, Qt.MouseButton.LeftButton)
    dialog = session.dialog
    assert isinstance(dialog, UnlockDialog)
    assert _defaults(dialog) == [dialog.unlock_button]
    # the reported path: focus lands on Restore (the password field is disabled while busy), then Enter
    dialog.restore_button.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.error.text() == "Enter the wallet password." and dialog.restore_dialog is None
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not dialog.restore_button.isEnabled()          # busy: Restore cannot be reached at all
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(session.is_unlocked, timeout=10_000)
    assert dialog.restore_dialog is None and session.dialog is dialog and not dialog.isVisible()


def test_every_wallet_dialog_defaults_to_its_safe_button(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    run(ctx, ctx.network.request_faucet(account.address))
    coins = run(ctx, ctx.network.list_coins(account.address))
    validators = run(ctx, ctx.network.get_validators())
    dialogs = {
        "restore": ImportDialog(session, wallet_panel, create=True, replace=True),
        "import": ImportDialog(session, wallet_panel),
        "create": CreateWalletDialog(session, wallet_panel),
        "password": ChangePasswordDialog(session, wallet_panel),
        "confirm": ConfirmDialog("Withdraw stake", "summary", "Sign and withdraw", wallet_panel),
        "send": build_send_dialog(ctx, account, coins, wallet_panel),
        "stake": build_stake_dialog(ctx, account, coins, validators, [], None, wallet_panel),
        "export": ExportDialog(session, account, wallet_panel),
    }
    expected = {"restore": "Cancel", "import": "Import", "create": "Next", "password": "Change password",
                "confirm": "Cancel", "send": "Review", "stake": "Review", "export": "Show somaprivkey"}
    for key, dialog in dialogs.items():
        qtbot.addWidget(dialog)
        assert [b.text() for b in _defaults(dialog)] == [expected[key]], key


def test_restore_asks_before_replacing_the_wallet(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    address = session.current_account().address
    restore = ImportDialog(session, wallet_panel, create=True, replace=True)
    qtbot.addWidget(restore)
    restore.phrase_edit.setPlainText(" ".join(["abandon"] * 11 + ["about"]))
    restore.password_edit.setText("another password")
    restore.confirm_edit.setText("another password")
    restore.confirm_replace = lambda: False              # the user presses Cancel in the warning
    qtbot.mouseClick(restore.import_button, Qt.MouseButton.LeftButton)
    assert not restore.busy.isVisible() and session.current_account().address == address


def test_panels_say_create_or_import_when_there_is_no_wallet(qtbot, ctx, session, staking_panel):
    assert not session.has_vault()
    qtbot.waitUntil(lambda: staking_panel.snapshot is not None, timeout=10_000)
    assert staking_panel.unlock_button.text() == "Set up a wallet…"
    assert staking_panel.stake_button.toolTip() == "Create or import a wallet first"
    assert "Create or import a wallet" in staking_panel.totals_label.text()
    publish = publish_panel(ctx)
    qtbot.addWidget(publish)
    assert publish.unlock.text() == "Set up a wallet…"
    assert publish.locked_text.text().startswith("Create or import a wallet")
    assert "Unlock" not in publish.new.toolTip()


def test_stake_limit_is_the_largest_coin_and_merge_is_offered(qtbot, ctx, session, wallet_panel, staking_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    for _ in range(3):                                   # three faucet coins: 3 × 2 SOMA, largest 2 SOMA
        run(ctx, ctx.network.request_faucet(account.address))
    staking_panel.refresh()
    qtbot.waitUntil(lambda: staking_panel.snapshot is not None and len(staking_panel.snapshot.coins) == 3,
                    timeout=10_000)
    qtbot.waitUntil(staking_panel.stake_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(staking_panel.stake_button, Qt.MouseButton.LeftButton)
    dialog = staking_panel.active_dialog
    assert isinstance(dialog, StakeDialog)
    assert "split over 3 coins" in dialog.merge_note.text() and format_soma(2 * SOMA) in dialog.merge_note.text()
    dialog.amount.edit.setText("5")
    assert "largest coin" in dialog.amount.error_text() and "merge" in dialog.amount.error_text()
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    merge = staking_panel.active_dialog
    assert isinstance(merge, ConfirmDialog) and "Merge 3 coins" in merge.summary.text()
    qtbot.mouseClick(merge.confirm_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "Coins merged")
    # the smallest coin stays apart (Erratum 4)
    qtbot.waitUntil(lambda: len(run(ctx, ctx.network.list_coins(account.address))) == 2, timeout=10_000)


def test_enter_in_send_reviews_and_never_signs(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    run(ctx, ctx.network.request_faucet(account.address))
    coins = run(ctx, ctx.network.list_coins(account.address))
    dialog = build_send_dialog(ctx, account, coins, wallet_panel)
    qtbot.addWidget(dialog)
    dialog.show()
    sent: list = []
    dialog.sig_send_confirmed.connect(lambda *a: sent.append(a))
    dialog.recipient.edit.setText("0x" + "ab" * 32)
    qtbot.keyClicks(dialog.amount.edit, "0.5")
    qtbot.keyClick(dialog.amount.edit, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == 1                 # Enter reviewed
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert sent == [] and dialog.pages.currentIndex() == 1  # signing needs a deliberate click


def test_staking_shows_and_switches_the_paying_account(qtbot, ctx, session, wallet_panel, staking_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    qtbot.mouseClick(wallet_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    picker = staking_panel.account_picker
    qtbot.waitUntil(lambda: picker.count() == 2, timeout=10_000)
    assert picker.isVisibleTo(staking_panel)
    first, second = session.accounts()
    session.set_current(first.address)
    assert picker.currentData() == first.address
    picker.activated.emit(1)                       # the user picks the second account here
    assert session.current_account().address == second.address
    publish = publish_panel(ctx)
    qtbot.addWidget(publish)
    assert publish.account_picker.currentText().startswith(f"Paid by {second.name}")


def test_send_shows_the_fee_range_the_sdk_coin_choice_allows(qtbot, ctx, session, wallet_panel, monkeypatch):
    """On a real network soma-sdk picks the gas coin among the richest: a transfer may write one more object."""
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    for _ in range(2):
        run(ctx, ctx.network.request_faucet(account.address))
    coins = run(ctx, ctx.network.list_coins(account.address))

    def send_dialog() -> SendDialog:
        dialog = build_send_dialog(ctx, account, coins, wallet_panel)
        qtbot.addWidget(dialog)
        dialog.recipient.edit.setText("0x" + "ab" * 32)
        dialog.amount.edit.setText("1.5")
        return dialog
    assert " – " not in send_dialog().fee_label.text()          # the sandbox always pays from the richest coin
    monkeypatch.setattr(type(ctx.network), "is_sandbox", False)
    dialog = send_dialog()
    assert " – " in dialog.fee_label.text() and "picks which coin pays" in dialog.fee_label.text()
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert "up to" in dialog.summary.text() and "one more object" in dialog.summary.text()
