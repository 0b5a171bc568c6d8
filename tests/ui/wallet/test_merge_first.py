"""Coins before fees: with several small faucet coins and an amount above the largest, Send offers *Merge coins
first* with the reason, the merge goes through the wallet's merge path, and the send then works. A network
refusal `InvalidInput(field="merge_first")` (what soma-sdk networks raise) ends in the same offer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sandbox.params import FAUCET_AMOUNT
from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog
from soma_desktop.ui.wallet.send_dialog import SendDialog
from tests.ui.conftest import run
from tests.ui.wallet.helpers import create_wallet_via_wizard, wait_banner


def _funded_in_small_coins(qtbot, ctx, session, panel, coins: int = 3) -> tuple[str, str]:
    create_wallet_via_wizard(qtbot, panel)
    for _ in range(coins):
        qtbot.mouseClick(panel.faucet_button, Qt.MouseButton.LeftButton)
        wait_banner(qtbot, panel.banner, "from the faucet")
        qtbot.waitUntil(panel.faucet_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    sender, recipient = session.accounts()[0].address, session.accounts()[1].address
    qtbot.waitUntil(lambda: session.current_account().address == recipient, timeout=10_000)   # the new one
    session.set_current(sender)
    assert [c.balance for c in run(ctx, ctx.network.list_coins(sender))] == [FAUCET_AMOUNT] * coins
    qtbot.waitUntil(lambda: len(panel.coins.get(sender, [])) == coins, timeout=10_000)
    return sender, recipient


def _open_send(qtbot, panel, recipient: str, amount: str) -> SendDialog:
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    dialog = panel.active_dialog
    assert isinstance(dialog, SendDialog) and dialog.account.address == panel.session.accounts()[0].address
    dialog.recipient.edit.setText(recipient)
    dialog.amount.edit.setText(amount)
    return dialog


def _confirm_merge(qtbot, ctx, panel, sender: str) -> None:
    merge = panel.active_dialog
    assert isinstance(merge, ConfirmDialog) and merge.isVisible()
    qtbot.mouseClick(merge.confirm_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, panel.banner, "Coins merged")
    assert len(run(ctx, ctx.network.list_coins(sender))) == 2          # the SDK's merge keeps the smallest apart


def test_send_above_the_largest_coin_offers_merge_first_then_sends(qtbot, ctx, session, wallet_panel):
    sender, recipient = _funded_in_small_coins(qtbot, ctx, session, wallet_panel)
    amount = FAUCET_AMOUNT + FAUCET_AMOUNT // 2                          # 3 SOMA from three 2-SOMA coins
    dialog = _open_send(qtbot, wallet_panel, recipient, "3")
    assert dialog.amount.value() == amount
    assert dialog.merge_offer.isVisible() and not dialog.review_button.isEnabled()
    reason = dialog.merge_offer.reason.text()
    assert "No single coin holds 3 SOMA plus the fee" in reason and "largest holds 2 SOMA" in reason
    assert dialog.review_button.toolTip() == reason

    qtbot.mouseClick(dialog.merge_offer.button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    _confirm_merge(qtbot, ctx, wallet_panel, sender)

    qtbot.waitUntil(lambda: len(wallet_panel.coins.get(sender, [])) == 2, timeout=10_000)
    again = _open_send(qtbot, wallet_panel, recipient, "3")
    assert not again.merge_offer.isVisible() and again.review_button.isEnabled()
    qtbot.mouseClick(again.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(again.send_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Sent 3 SOMA")
    assert run(ctx, ctx.network.get_balance(recipient)) == amount


def test_a_network_refusal_to_send_before_merging_offers_the_merge(qtbot, ctx, session, wallet_panel, monkeypatch):
    sender, recipient = _funded_in_small_coins(qtbot, ctx, session, wallet_panel)
    why = "2 of the 3 coins the network client may pick to pay with hold less than the fee. Merge coins first."
    real_transfer = ctx.network.transfer_coin

    async def refuse_once(*args, **kwargs):          # what soma-sdk networks raise before sending anything
        monkeypatch.setattr(ctx.network, "transfer_coin", real_transfer)
        raise InvalidInput(why, field="merge_first")

    monkeypatch.setattr(ctx.network, "transfer_coin", refuse_once)
    dialog = _open_send(qtbot, wallet_panel, recipient, "1")
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "the coins must be merged first")
    assert wallet_panel.merge_offer.isVisible() and wallet_panel.merge_offer.reason.text() == why
    assert run(ctx, ctx.network.get_balance(sender)) == 3 * FAUCET_AMOUNT    # nothing was sent

    qtbot.mouseClick(wallet_panel.merge_offer.button, Qt.MouseButton.LeftButton)
    _confirm_merge(qtbot, ctx, wallet_panel, sender)
    assert not wallet_panel.merge_offer.isVisible()


def test_a_stake_refused_until_merged_offers_the_merge_on_the_staking_panel(qtbot, ctx, session, wallet_panel,
                                                                            staking_panel, monkeypatch):
    sender, _recipient = _funded_in_small_coins(qtbot, ctx, session, wallet_panel)
    why = "1 of the 3 coins the network client may pick to pay with hold less than the amount plus the fee."
    real_add_stake = ctx.network.add_stake

    async def refuse_once(*args, **kwargs):          # soma-sdk networks refuse like this before sending
        monkeypatch.setattr(ctx.network, "add_stake", real_add_stake)
        raise InvalidInput(why + " Merge coins first.", field="merge_first")

    monkeypatch.setattr(ctx.network, "add_stake", refuse_once)
    staking_panel.refresh()
    qtbot.waitUntil(lambda: staking_panel.snapshot is not None and len(staking_panel.snapshot.coins) == 3,
                    timeout=10_000)
    qtbot.waitUntil(staking_panel.stake_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(staking_panel.stake_button, Qt.MouseButton.LeftButton)
    dialog = staking_panel.active_dialog
    dialog.amount.edit.setText("1")
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stake_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "the coins must be merged first")
    assert staking_panel.merge_offer.isVisible() and why in staking_panel.merge_offer.reason.text()
    assert run(ctx, ctx.network.list_staked_soma(sender)) == []

    qtbot.mouseClick(staking_panel.merge_offer.button, Qt.MouseButton.LeftButton)
    merge = staking_panel.active_dialog
    assert isinstance(merge, ConfirmDialog)
    qtbot.mouseClick(merge.confirm_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "Coins merged")
    assert not staking_panel.merge_offer.isVisible() and len(run(ctx, ctx.network.list_coins(sender))) == 2
