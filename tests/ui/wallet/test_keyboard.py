"""Keyboard use of the wallet dialogs: every control is named for screen readers, and Tab visits the fields
in reading order (the order Tab follows is Qt's focus chain)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from soma_desktop.ui.accessibility import accessible_name, interactive_controls
from soma_desktop.ui.local_names import address_book
from soma_desktop.ui.wallet.address_book_dialog import AddressBookDialog
from soma_desktop.ui.wallet.import_dialog import ImportDialog
from soma_desktop.ui.wallet.password_dialog import ChangePasswordDialog
from soma_desktop.ui.wallet.receive_dialog import ReceiveDialog
from soma_desktop.ui.wallet.unlock_dialog import UnlockDialog
from tests.ui.conftest import run
from tests.ui.wallet.helpers import build_send_dialog, build_stake_dialog, create_wallet_via_wizard


def tab_order(dialog: QWidget, start: QWidget) -> list[QWidget]:
    """The widgets Tab reaches from `start`, once round."""
    order, widget = [], start
    while True:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(dialog) and widget.isEnabled():
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start or len(order) > 200:
            return order


def visits_in_order(order: list[QWidget], expected: list[QWidget]) -> bool:
    positions = [order.index(w) for w in expected if w in order]
    return len(positions) == len(expected) and positions == sorted(positions)


def test_wallet_dialogs_named_and_tab_in_reading_order(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    run(ctx, ctx.network.request_faucet(account.address))
    coins = run(ctx, ctx.network.list_coins(account.address))
    validators = run(ctx, ctx.network.get_validators())
    send = build_send_dialog(ctx, account, coins, wallet_panel)
    stake = build_stake_dialog(ctx, account, coins, validators, [], None, wallet_panel)
    password = ChangePasswordDialog(session, wallet_panel)
    book = AddressBookDialog(address_book(ctx), wallet_panel)
    session.lock()
    unlock = UnlockDialog(session, wallet_panel)
    dialogs = [send, stake, password, book, unlock, ImportDialog(session, wallet_panel, create=True),
               ReceiveDialog(account, "Sandbox", wallet_panel)]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        missing = [f"{type(w).__name__}#{w.objectName()}" for w in interactive_controls(dialog)
                   if not accessible_name(w)]
        assert missing == [], type(dialog).__name__
    expected = {
        send: [send.recipient.edit, send.amount.edit, send.amount.max_button, send.review_button],
        stake: [stake.target_combo, stake.amount.edit, stake.review_button],
        password: [password.old_edit, password.new_edit, password.confirm_edit, password.ok_button],
        book: [book.name_edit, book.address.edit, book.save_button],
        unlock: [unlock.password_edit, unlock.unlock_button, unlock.cancel_button, unlock.restore_button],
    }
    send.recipient.set_text("0x" + "ab" * 32)
    send.amount.edit.setText("0.1")
    stake.amount.edit.setText("0.1")
    book.name_edit.setText("Alice")
    for dialog, fields in expected.items():
        assert visits_in_order(tab_order(dialog, fields[0]), fields), type(dialog).__name__
