"""The Wallet panel's "History on the chain" tab on a soma-sdk network (the fake SomaClient over the real
sandbox): a transfer from outside the wallet shows as Received with its sender and exact amount, the epoch in
place of the time soma-sdk does not give, and a note that says what this history cannot show."""

from __future__ import annotations

import pytest

from soma_desktop.core.amounts import SHANNONS_PER_SOMA
from soma_desktop.ui.wallet.chain_history import SDK_HISTORY_NOTE, ChainHistoryView
from tests.network.conftest import demo_signer
from tests.ui.conftest import run, sdk_localnet_context
from tests.ui.wallet.helpers import create_wallet_via_wizard

AMOUNT = 5 * SHANNONS_PER_SOMA + 7          # above 2^32 shannons


@pytest.fixture
def ctx(qtbot, data_dir, tmp_path):
    """An AppContext on a soma-sdk network (replaces the sandbox `ctx` for this module's fixtures)."""
    with sdk_localnet_context(qtbot, data_dir, tmp_path / "chain.db") as context:
        yield context


def _column(view: ChainHistoryView, col: int) -> list[str]:
    return [view.table.item(r, col).text() for r in range(view.table.rowCount())]


def test_incoming_transfer_shows_on_an_sdk_network(qtbot, ctx, session, wallet_panel):
    create_wallet_via_wizard(qtbot, wallet_panel)
    view = wallet_panel.chain_history
    me = session.current_account().address
    demo = demo_signer()
    sent = run(ctx, ctx.network.transfer_coin(demo, me, AMOUNT))
    view.refresh()
    qtbot.waitUntil(lambda: _column(view, 2)[:1] == ["Received"], timeout=10_000)
    assert view.table.rowCount() == 1
    assert _column(view, 5)[0] == "+5.000000007 SOMA"
    assert view.table.item(0, 5).toolTip() == f"{AMOUNT:,} shannons"
    assert _column(view, 3)[0] == "Coins received"
    assert _column(view, 4)[0] == f"{demo.address[:8]}…{demo.address[-4:]}"
    assert _column(view, 0)[0] == f"Epoch {sent.epoch}"
    assert view.table.item(0, 8).toolTip() == sent.digest
    assert SDK_HISTORY_NOTE in view.note.text()
    assert f",{me},in,CoinsReceived,{demo.address},{AMOUNT},0,success,{sent.digest}" in view.csv_text()
