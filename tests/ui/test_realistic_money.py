"""Realistic money through the real dialogs on the real sandbox (issue 11, item 5): every amount here is above
2^31 shannons, where a Qt `int` signal used to drop the action without a word. After each step the exact
balances are asserted on the chain and in the accounts table; at the end the history table and its CSV export.

Funding: the wallet is created from the sandbox's public demo phrase ("abandon … about"), whose account holds
100,000 SOMA at genesis (coins of 40k/30k/20k/10k) — the faucet's 2 SOMA would not cover a 12,345 SOMA stake.

Expected fees are computed here from the chain's formula (protocol.md §6.3 and Errata), not by the code under
test: fee = base_fee + write_object_fee × objects written + value fee, with the value fee `bps_mul(x, bps)` on
transfers and `bps_mul(x, bps // 2)` on AddStake, AddStakeToModel, CreateModel and ClaimRewards; `bps` is the
chain's current value_fee_bps (it moves at every epoch boundary, §6.4).
"""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from soma_desktop.core.amounts import format_soma, parse_soma
from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SANDBOX_DEMO_MNEMONIC
from soma_desktop.network.types import ModelState, TargetStatus
from soma_desktop.ui.wallet.send_dialog import SendDialog
from soma_desktop.ui.wallet.stake_dialog import StakeDialog
from tests.ui.conftest import run
from tests.ui.panels import models_panel, publish_panel
from tests.ui.publish.helpers import advance, drive_to_host, host_and_verify, wait_step
from tests.ui.wallet.conftest import (  # noqa: F401  (fixtures)
    _collect_garbage_on_gui_thread,
    clock,
    session,
    staking_panel,
    wallet_panel,
)
from tests.ui.wallet.helpers import PASSWORD, wait_banner

SOMA = 10**9
BASE_FEE, WRITE_OBJECT_FEE = 1_000, 300          # protocol.md §7
GENESIS_DEMO_BALANCE = 100_000 * SOMA


def bps_mul(amount: int, bps: int) -> int:
    return amount * bps // 10_000


def chain_fee(writes: int, value_fee: int = 0) -> int:
    return BASE_FEE + WRITE_OBJECT_FEE * writes + value_fee


# Objects written (§6.3: created + mutated, the gas coin and SystemState included):
def transfer_fee(amount: int, bps: int) -> int:      # the sent coin pays gas: itself + the new coin
    return chain_fee(2, bps_mul(amount, bps))


def staking_fee(amount: int, bps: int) -> int:       # gas coin + SystemState + the new StakedSoma
    return chain_fee(3, bps_mul(amount, bps // 2))   # AddStake, AddStakeToModel (Errata 5: charges 3), CreateModel


def model_step_fee() -> int:                         # CommitModel / RevealModel: gas coin + SystemState
    return chain_fee(2)


def open_claim_fee(reward_pool: int, bps: int) -> int:   # gas coin + finder coin + SystemState (rest → pool)
    return chain_fee(3, bps_mul(reward_pool, bps // 2))


def balance(ctx, address: str) -> int:
    return run(ctx, ctx.network.get_balance(address))


def bps_now(ctx) -> int:
    return run(ctx, ctx.network.get_system_state()).value_fee_bps


def ui_balance(panel, row: int) -> int:
    return parse_soma(panel.accounts_table.item(row, 2).text())


def _wallet_from_demo_phrase(qtbot, session) -> tuple[str, str]:
    failures: list[BaseException] = []
    with qtbot.waitSignal(session.sig_unlocked, timeout=20_000):
        session.create(PASSWORD, mnemonic=SANDBOX_DEMO_MNEMONIC, first_name="Demo", on_done=lambda _v: None,
                       on_error=failures.append)
    session.add_account("Savings", lambda _a: None, failures.append)
    qtbot.waitUntil(lambda: len(session.accounts()) == 2, timeout=10_000)
    assert failures == []
    demo, savings = (a.address for a in session.accounts())
    assert demo == SANDBOX_DEMO_ADDRESS
    session.set_current(demo)
    return demo, savings


def _send(qtbot, ctx, panel, demo: str, savings: str) -> int:
    """5.123456789 SOMA to the second account: preview, review, outcome, exact balances on both sides."""
    amount, bps = 5_123_456_789, bps_now(ctx)
    fee = transfer_fee(amount, bps)
    qtbot.waitUntil(lambda: panel.send_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    dialog = panel.active_dialog
    assert isinstance(dialog, SendDialog)
    dialog.recipient.edit.setText(savings)
    qtbot.keyClicks(dialog.amount.edit, "5.123456789")
    assert dialog.amount.value() == amount
    assert dialog.fee_label.text() == f"≈ {format_soma(fee)}"
    assert dialog.total_label.text() == format_soma(amount + fee)
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert "5,123,456,789 shannons" in dialog.summary.text()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, panel.banner, "Sent 5.123456789 SOMA")
    assert balance(ctx, savings) == amount
    assert balance(ctx, demo) == GENESIS_DEMO_BALANCE - amount - fee
    qtbot.waitUntil(lambda: ui_balance(panel, 0) == GENESIS_DEMO_BALANCE - amount - fee
                    and ui_balance(panel, 1) == amount, timeout=10_000)
    return fee


def _stake_dialog(qtbot, panel, preselect=None) -> StakeDialog:
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.stake_button.isEnabled(), timeout=10_000)
    panel.open_stake(preselect)
    dialog = panel.active_dialog
    assert isinstance(dialog, StakeDialog)
    return dialog


def _stake_validator(qtbot, ctx, panel, demo: str) -> int:
    """12,345 SOMA (1.2 × 10^13 shannons) to the first validator."""
    amount, bps, before = 12_345 * SOMA, bps_now(ctx), balance(ctx, demo)
    fee = staking_fee(amount, bps)
    dialog = _stake_dialog(qtbot, panel)
    assert dialog.target()[0] == "validator"
    validator = dialog.target()[1]
    qtbot.keyClicks(dialog.amount.edit, "12,345")
    assert dialog.amount.value() == amount and dialog.fee_label.text() == f"≈ {format_soma(fee)}"
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert "12,345,000,000,000 shannons" in dialog.summary.text()
    qtbot.mouseClick(dialog.stake_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, panel.banner, "Staked 12,345 SOMA")
    assert balance(ctx, demo) == before - amount - fee
    pool = next(v.pool.id for v in run(ctx, ctx.network.get_validators()) if v.address == validator)
    assert [s.principal for s in run(ctx, ctx.network.list_staked_soma(demo)) if s.pool_id == pool] == [amount]
    return fee


def _publish(qtbot, ctx, tmp_path, demo: str) -> str:
    """The wizard with a 1,000 SOMA stake: weights → embedding → encrypt → host → verify → create → commit →
    (next epoch) → reveal. Returns the model id."""
    panel = publish_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 760)
    panel.show()
    w = drive_to_host(qtbot, ctx, panel, tmp_path)
    host_and_verify(qtbot, panel, w)

    stake, bps, before = 1_000 * SOMA, bps_now(ctx), balance(ctx, demo)
    create_fee = staking_fee(stake, bps)
    w.create_page.stake.setText("1,000")
    summary = w.create_page.summary.text()
    assert "1,000,000,000,000 shannons" in summary and f"{create_fee:,} shannons" in summary
    qtbot.mouseClick(w.create_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "commit")
    assert balance(ctx, demo) == before - stake - create_fee
    model_id = w.view.job.model_id
    assert run(ctx, ctx.network.get_model(model_id)).stake == stake

    before = balance(ctx, demo)
    qtbot.mouseClick(w.commit_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "wait")
    assert balance(ctx, demo) == before - model_step_fee()
    advance(qtbot, ctx)
    wait_step(qtbot, panel, "reveal")
    before = balance(ctx, demo)
    qtbot.mouseClick(w.reveal_page.button, Qt.MouseButton.LeftButton)
    wait_step(qtbot, panel, "active")
    assert balance(ctx, demo) == before - model_step_fee()
    model = run(ctx, ctx.network.get_model(model_id))
    assert model.state is ModelState.ACTIVE and model.stake == stake
    return model_id


def _stake_model(qtbot, ctx, panel, demo: str, model_id: str) -> int:
    """2^33 shannons (8.589934592 SOMA) to the model just published."""
    amount, bps, before = 2**33, bps_now(ctx), balance(ctx, demo)
    fee = staking_fee(amount, bps)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.snapshot is not None and any(m.id == model_id for m in panel.snapshot.models),
                    timeout=10_000)
    dialog = _stake_dialog(qtbot, panel, ("model", model_id))
    assert dialog.target()[:2] == ("model", model_id)
    qtbot.keyClicks(dialog.amount.edit, "8.589934592")
    assert dialog.amount.value() == amount and dialog.fee_label.text() == f"≈ {format_soma(fee)}"
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stake_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, panel.banner, "Staked 8.589934592 SOMA")
    assert balance(ctx, demo) == before - amount - fee
    pool = run(ctx, ctx.network.get_model(model_id)).pool.id
    principals = sorted(s.principal for s in run(ctx, ctx.network.list_staked_soma(demo)) if s.pool_id == pool)
    assert principals == [amount, 1_000 * SOMA]                    # beside the owner's stake from CreateModel
    return fee


def _claim(qtbot, ctx, demo: str) -> int:
    """An unfilled genesis target, expired since epoch 1: the claimer gets the 0.5 % finder fee as a new coin."""
    panel = models_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    view = panel.targets
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view._loading, timeout=10_000)
    while not any(t.status is TargetStatus.EXPIRED for t in view.model.targets) and view.more.isEnabled():
        qtbot.mouseClick(view.more, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not view._loading, timeout=10_000)
    row = next(i for i, t in enumerate(view.model.targets) if t.status is TargetStatus.EXPIRED)
    target = view.model.targets[row]
    finder = bps_mul(target.reward_pool, 50)                       # target_claimer_incentive_bps
    bps, before = bps_now(ctx), balance(ctx, demo)
    coins_before = {c.id for c in run(ctx, ctx.network.list_coins(demo))}
    view.table.setCurrentIndex(view.model.index(row, 0))
    assert f"{finder:,} shannons" in view.claim_text.text()
    qtbot.mouseClick(view.claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Claimed target" in view.banner.text(), timeout=10_000)
    new_coins = [c.balance for c in run(ctx, ctx.network.list_coins(demo)) if c.id not in coins_before]
    assert new_coins == [finder]                                   # the payout, exact, as its own coin
    # The fee's object count (3) is the chain's for an unfilled target; money-rules changes only filled claims.
    fee = open_claim_fee(target.reward_pool, bps)
    assert balance(ctx, demo) == before + finder - fee
    return fee


def test_realistic_amounts_through_the_real_dialogs(qtbot, ctx, session, wallet_panel, staking_panel, tmp_path):
    demo, savings = _wallet_from_demo_phrase(qtbot, session)
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.rowCount() == 2
                    and ui_balance(wallet_panel, 0) == GENESIS_DEMO_BALANCE, timeout=10_000)
    send_fee = _send(qtbot, ctx, wallet_panel, demo, savings)
    stake_fee = _stake_validator(qtbot, ctx, staking_panel, demo)
    model_id = _publish(qtbot, ctx, tmp_path, demo)
    model_fee = _stake_model(qtbot, ctx, staking_panel, demo, model_id)
    _claim(qtbot, ctx, demo)   # checked inside; claims are not in the app's send history
    final = balance(ctx, demo)
    qtbot.waitUntil(lambda: ui_balance(wallet_panel, 0) == final, timeout=10_000)
    # The wallet's history keeps each amount and fee exact (newest first).
    expected = [("Staked to model", 2**33, model_fee), ("Staked", 12_345 * SOMA, stake_fee),
                ("Sent", 5_123_456_789, send_fee)]

    def history() -> list[tuple[str, int, int]]:
        table = wallet_panel.history_table
        return [(table.item(r, 1).text(), parse_soma(table.item(r, 2).text()), parse_soma(table.item(r, 3).text()))
                for r in range(table.rowCount())]
    try:
        qtbot.waitUntil(lambda: history() == expected, timeout=10_000)
    except Exception as exc:
        raise AssertionError(f"history shows {history()}, expected {expected}") from exc
    assert wallet_panel.history_table.status_texts() == ["Confirmed"] * 3
    # ... and so does its CSV export
    path = tmp_path / "history.csv"
    wallet_panel.export_history_csv(str(path))
    wait_banner(qtbot, wallet_panel.banner, "Exported 3 transactions")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(int(r["amount_shannons"]), int(r["fee_shannons"])) for r in csv.DictReader(handle)]
    assert rows == [(amount, fee) for _kind, amount, fee in expected]
