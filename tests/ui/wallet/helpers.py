"""User-level steps shared by the wallet UI tests (click, type, wait for visible text)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.ui.wallet.create_wizard import PAGE_CONFIRM, PAGE_PASSWORD, PAGE_WORDS, CreateWalletDialog

PASSWORD = "correct horse battery"


def create_wallet_via_wizard(qtbot, panel, password: str = PASSWORD, *, remember: bool = False) -> str:
    """Create → password → words shown once → three words asked back. Returns the phrase read off the screen."""
    session = panel.session
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    dialog = session.dialog
    assert isinstance(dialog, CreateWalletDialog) and dialog.isVisible()
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_PASSWORD
    dialog.password_edit.setText(password)
    dialog.confirm_edit.setText(password + "x")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "The two passwords differ."
    dialog.confirm_edit.setText(password)
    if remember:
        dialog.remember_check.setChecked(True)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_WORDS
    words = [label.text().split(". ", 1)[1] for label in dialog.word_labels]
    assert len(words) == 24
    assert not dialog.next_button.isEnabled()          # not before the user confirms writing them down
    dialog.saved_check.setChecked(True)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == PAGE_CONFIRM
    positions = dialog.challenge.positions
    for pos in positions:                               # one wrong answer first
        dialog.answer_edits[pos].setText("zzz")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert "does not match" in dialog.error.text() and not session.is_unlocked()
    for pos in positions:
        dialog.answer_edits[pos].clear()
        qtbot.keyClicks(dialog.answer_edits[pos], words[pos - 1])
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(session.is_unlocked, timeout=20_000)
    assert not dialog.isVisible()
    assert all(label.text() == "" for label in dialog.word_labels)   # the phrase left the screen
    return " ".join(words)


def wait_banner(qtbot, banner, fragment: str, timeout: int = 20_000) -> str:
    try:
        qtbot.waitUntil(lambda: fragment in banner.text() and banner.isVisible(), timeout=timeout)
    except Exception as exc:   # say what the user saw instead
        raise AssertionError(f"banner never showed {fragment!r}; it shows {banner.text()!r} "
                             f"(visible={banner.isVisible()})") from exc
    return banner.text()


def table_texts(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount()) if table.item(row, column)]


# ---- construction from a real AppContext's pieces (as main_window's factories pass them) -----------------
def build_wallet_panel(ctx, parent=None):
    from soma_desktop.ui.local_names import address_book
    from soma_desktop.ui.panels.wallet import WalletPanel

    return WalletPanel(session=ctx.wallet, wallet=ctx.services.wallet, chain=ctx, changes=ctx.chain,
                       bridge=ctx.bridge, settings=ctx.settings, book=address_book(ctx), parent=parent)


def build_staking_panel(ctx, parent=None):
    from soma_desktop.ui.panels.staking import StakingPanel

    return StakingPanel(session=ctx.wallet, staking=ctx.services.staking, wallet=ctx.services.wallet, chain=ctx,
                        changes=ctx.chain, bridge=ctx.bridge, parent=parent)


def build_send_dialog(ctx, account, coins, parent=None):
    from soma_desktop.ui.local_names import address_book
    from soma_desktop.ui.wallet.send_dialog import SendDialog

    return SendDialog(account=account, quote=ctx.services.wallet.quote(coins, ctx.state), session=ctx.wallet,
                      book=address_book(ctx), parent=parent)


def build_stake_dialog(ctx, account, coins, validators, models, preselect=None, parent=None):
    from soma_desktop.ui.wallet.stake_dialog import StakeDialog

    return StakeDialog(account=account, quote=ctx.services.wallet.quote(coins, ctx.state), state=ctx.state,
                       validators=validators, models=models, preselect=preselect, parent=parent)
