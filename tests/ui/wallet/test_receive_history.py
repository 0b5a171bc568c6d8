"""Receive (address, copy, QR), incoming and outgoing history from the chain for every account, own-account
labels and the address book — on the real sandbox."""

from __future__ import annotations

import json
import types

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from soma_desktop.core.amounts import SHANNONS_PER_SOMA
from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.wallet import WalletService
from soma_desktop.ui.local_names import ADDRESS_BOOK_FILE, LocalNames, address_book
from soma_desktop.ui.wallet.address_book_dialog import AddressBookDialog
from soma_desktop.ui.wallet.chain_history import NO_HISTORY_NOTE, ChainHistoryView
from soma_desktop.ui.wallet.receive_dialog import ReceiveDialog, qr_image
from tests.ui.conftest import run
from tests.ui.wallet.helpers import create_wallet_via_wizard

SOMA = SHANNONS_PER_SOMA
STRANGER = "0x" + "5a" * 32


class Outsider:
    """Someone outside the wallet who pays us (the sandbox checks only the signer's address)."""

    address = STRANGER

    def secret_key(self) -> bytes:
        return b"\x01" * 32


def _column(view: ChainHistoryView, col: int) -> list[str]:
    return [view.table.item(r, col).text() for r in range(view.table.rowCount())]


def test_incoming_funds_appear_with_names(qtbot, ctx, session, wallet_panel, data_dir):
    create_wallet_via_wizard(qtbot, wallet_panel)
    view = wallet_panel.chain_history
    assert wallet_panel.history_tabs.currentWidget() is view
    qtbot.waitUntil(lambda: "No transactions yet" in view.note.text(), timeout=10_000)
    assert not view.export_button.isEnabled()                 # nothing to export

    # a stranger gathers 8 SOMA into one coin and pays us 5 SOMA (> 2^32 shannons)
    for _ in range(4):
        run(ctx, ctx.network.request_faucet(STRANGER))
    run(ctx, ctx.network.merge_coins(Outsider()))
    me = session.current_account().address
    amount = 5 * SOMA + 123
    run(ctx, ctx.network.transfer_coin(Outsider(), me, amount))
    ctx.refresh()                                             # the next poll shows it
    qtbot.waitUntil(lambda: _column(view, 2)[:1] == ["Received"], timeout=10_000)
    assert _column(view, 5)[0] == "+5.000000123 SOMA"
    assert view.table.item(0, 5).toolTip() == f"{amount:,} shannons"
    assert _column(view, 4)[0] == "0x5a5a5a…5a5a"
    assert view.export_button.isEnabled() and f",{me},in,TransferCoin,{STRANGER},{amount},0," in view.csv_text()

    # the address book names the stranger everywhere, and is stored in the data dir
    dialog = AddressBookDialog(address_book(ctx), wallet_panel)
    qtbot.addWidget(dialog)
    assert dialog.empty.isVisible() or not dialog.isVisible()
    dialog.name_edit.setText("Alice")
    dialog.address.set_text(STRANGER)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1 and _column(view, 4)[0] == "Alice (0x5a5a5a…5a5a)"
    path = data_dir / ADDRESS_BOOK_FILE
    qtbot.waitUntil(lambda: path.exists() and "Alice" in path.read_text(), timeout=10_000)
    assert json.loads(path.read_text())["names"] == {STRANGER: "Alice"}
    reread = LocalNames(ctx, ADDRESS_BOOK_FILE, per_network=False)
    qtbot.waitUntil(lambda: reread.loaded, timeout=10_000)
    assert reread.name(STRANGER) == "Alice"

    # a transfer between our own accounts shows on both, labelled with the account names
    qtbot.mouseClick(wallet_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    second = session.accounts()[1]
    run(ctx, ctx.network.transfer_coin(session.accounts()[0], second.address, SOMA))
    view.refresh()
    qtbot.waitUntil(lambda: len(view.rows) == 3, timeout=10_000)
    own_rows = [(view.table.item(r, 1).text(), view.table.item(r, 2).text(), view.table.item(r, 4).text())
                for r in range(2)]
    first_name = session.accounts()[0].name
    assert sorted(own_rows) == sorted([(first_name, "Sent", f"{second.name} (yours)"),
                                       (second.name, "Received", f"{first_name} (yours)")])


def test_receive_shows_address_copy_and_qr(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    account = session.current_account()
    qtbot.mouseClick(wallet_panel.receive_button, Qt.MouseButton.LeftButton)
    dialog = wallet_panel.active_dialog
    assert isinstance(dialog, ReceiveDialog)
    assert dialog.address_label.text() == account.address and "Sandbox" in dialog.findChildren(type(
        dialog.address_label))[0].text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == account.address
    image = dialog.qr.pixmap().toImage()
    assert image.width() >= 200 and image.width() == image.height()
    # the picture is the QR code of the address: the dark modules match segno's matrix
    import segno

    matrix = segno.make(account.address, error="m", micro=False).matrix
    scale = image.width() // (len(matrix) + 8)
    for y in (0, len(matrix) // 2, len(matrix) - 1):
        for x in range(len(matrix)):
            pixel = image.pixelColor((x + 4) * scale + scale // 2, (y + 4) * scale + scale // 2)
            assert (pixel.lightness() < 128) == bool(matrix[y][x])
    assert qr_image("0x" + "00" * 32).width() >= 200


def test_networks_without_history_say_so(qtbot, ctx, session, wallet_panel, data_dir):
    """soma-sdk 0.1.15 cannot list an address's transactions: the view says so instead of showing nothing."""
    create_wallet_via_wizard(qtbot, wallet_panel)
    no_history = types.SimpleNamespace(name="Testnet", is_sandbox=False, has_faucet=False, can_advance_epoch=False)
    cache = ChainCache(no_history, "testnet")        # a network without list_account_transactions
    view = ChainHistoryView(session=session, wallet=WalletService(cache, data_dir), bridge=ctx.bridge,
                            book=address_book(ctx))
    qtbot.addWidget(view)
    view.refresh()
    assert view.note.text() == NO_HISTORY_NOTE and view.table.rowCount() == 0
    assert not view.export_button.isEnabled()


def test_damaged_address_book_is_reported_not_fatal(qtbot, ctx, data_dir):
    (data_dir / ADDRESS_BOOK_FILE).write_text("{not json")
    book = LocalNames(ctx, ADDRESS_BOOK_FILE, per_network=False)
    with qtbot.waitSignal(book.sig_failed, timeout=10_000) as blocker:
        pass
    assert "damaged" in blocker.args[0] and "move it away" in blocker.args[0]
    assert book.name(STRANGER) == "" and address_book(ctx) is not book
