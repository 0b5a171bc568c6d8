"""Create with a stake above the largest coin (several small faucet coins): the wizard says why, offers
*Merge coins first*, merges through the wallet's merge path, and the create then goes through."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.sandbox.params import FAUCET_AMOUNT
from soma_desktop.publish.journal import JobState
from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.mnemonic import generate_mnemonic
from soma_desktop.wallet.vault import Argon2Params, VaultPolicy
from tests.ui.conftest import run
from tests.ui.publish.helpers import drive_to_host, wait_step
from tests.ui.publish.test_publish_wizard import _panel
from tests.ui.wallet.helpers import wait_banner

FAST = Argon2Params(m_kib=64, t=1, p=1)


def _wallet_in_small_coins(qtbot, ctx, coins: int) -> str:
    wallet = WalletSession(ctx.wallet_env(), policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    ctx.wallet = wallet
    with qtbot.waitSignal(wallet.sig_unlocked, timeout=20_000):
        wallet.create("correct horse battery", mnemonic=generate_mnemonic(), on_done=lambda _v: None,
                      on_error=lambda _e: None)
    address = wallet.current_account().address
    for _ in range(coins):
        run(ctx, ctx.network.request_faucet(address))
    assert [c.balance for c in run(ctx, ctx.network.list_coins(address))] == [FAUCET_AMOUNT] * coins
    return address


def test_create_above_the_largest_coin_offers_merge_first_then_creates(qtbot, app, tmp_path):
    ctx = app()
    address = _wallet_in_small_coins(qtbot, ctx, coins=3)
    panel = _panel(qtbot, ctx)
    w = drive_to_host(qtbot, ctx, panel, tmp_path)
    qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "verify")
    qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "create")
    w.create_page.stake.setText("3")                                  # three 2-SOMA coins
    qtbot.mouseClick(w.create_page.button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, w.banner, "the coins must be merged first")
    assert w.merge_offer.isVisible()
    reason = w.merge_offer.reason.text()
    assert "No single coin covers the stake plus fees" in reason and "the largest holds 2 SOMA" in reason
    assert w.view.job.state is JobState.UPLOAD_VERIFIED and w.view.job.model_id is None   # nothing sent
    assert run(ctx, ctx.network.get_balance(address)) == 3 * FAUCET_AMOUNT

    qtbot.mouseClick(w.merge_offer.button, Qt.MouseButton.LeftButton)
    dialog = w.merge_dialog
    assert isinstance(dialog, ConfirmDialog) and dialog.isVisible()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, w.banner, "Coins merged")
    assert not w.merge_offer.isVisible() and len(run(ctx, ctx.network.list_coins(address))) == 2

    qtbot.mouseClick(w.create_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "commit")
    assert w.view.job.state is JobState.CREATED and w.view.job.model_id
