"""With every panel open, one Send click is one transaction plus at most three reads (counted at the network),
and the balances every panel shows move without any panel fetching for itself."""

from __future__ import annotations

from soma_desktop.core.amounts import parse_soma
from soma_desktop.network.sandbox import SANDBOX_DEMO_MNEMONIC
from tests.services.counting import CountingNetwork
from tests.ui import panels
from tests.ui.conftest import run
from tests.ui.wallet.helpers import wait_banner

RECIPIENT = "0x" + "cd" * 32
BIG = 3 * 2**32 + 5


def test_one_send_click_is_one_transaction_and_at_most_three_reads(qtbot, ctx, session, wallet_panel,
                                                                  staking_panel):
    models_panel = panels.models_panel(ctx)
    qtbot.addWidget(models_panel)
    done: list = []
    session.create("correct horse battery", mnemonic=SANDBOX_DEMO_MNEMONIC, on_done=done.append, on_error=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert session.is_unlocked(), done
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.item(0, 2) is not None
                    and wallet_panel.accounts_table.item(0, 2).text() != "…", timeout=20_000)
    qtbot.waitUntil(lambda: staking_panel.snapshot is not None and bool(staking_panel.snapshot.coins), timeout=20_000)
    qtbot.waitUntil(lambda: models_panel.table_model.rowCount() > 0, timeout=20_000)
    before = _balance(wallet_panel)

    ctx._timer.stop()                     # no poll in between: count only what the click causes
    counted = CountingNetwork(ctx.network)
    run(ctx, _bind(ctx, counted))
    wallet_panel._on_send_confirmed(RECIPIENT, BIG)
    wait_banner(qtbot, wallet_panel.banner, "Sent ")
    qtbot.waitUntil(lambda: _balance(wallet_panel) < before - BIG, timeout=10_000)
    qtbot.waitUntil(lambda: staking_panel.snapshot.balance < before - BIG, timeout=10_000)
    run(ctx, _settle())                   # let any follow-up read a panel might start reach the network
    qtbot.wait(50)
    assert counted.transactions == {"transfer_coin": 1}
    assert sum(counted.reads.values()) <= 3, counted.reads
    fee = before - BIG - _balance(wallet_panel)
    assert 0 < fee < 10**9


def _balance(panel) -> int:
    return parse_soma(panel.accounts_table.item(0, 2).text())


async def _bind(ctx, counted) -> None:
    ctx.cache.network = counted           # same chain, same cached values: only the counting is new


async def _settle() -> None:
    import asyncio

    for _ in range(5):
        await asyncio.sleep(0)
