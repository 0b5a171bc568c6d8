"""The issue-5 journey on the real sandbox, driven like a user: create a wallet → faucet → send → stake
→ advance epochs → rewards visible → withdraw; history with statuses and CSV; then no secret on disk."""

from __future__ import annotations

import base64
import csv

from PySide6.QtCore import Qt

from soma_desktop.core.amounts import SHANNONS_PER_SOMA, format_soma, parse_soma
from soma_desktop.ui.wallet.send_dialog import SendDialog
from soma_desktop.ui.wallet.stake_dialog import StakeDialog
from soma_desktop.wallet.keys import encode_secret_bech32
from soma_desktop.wallet.mnemonic import mnemonic_to_seed
from tests.ui.conftest import run
from tests.ui.wallet.helpers import create_wallet_via_wizard, table_texts, wait_banner

SOMA = SHANNONS_PER_SOMA


def _advance(qtbot, ctx) -> None:
    before = ctx.state.epoch
    run(ctx, ctx.network.advance_epoch())
    with qtbot.waitSignal(ctx.epoch_changed, timeout=10_000):
        ctx.refresh()
    assert ctx.state.epoch == before + 1


def _balance_of(panel, row: int) -> int:
    return parse_soma(panel.accounts_table.item(row, 2).text())


def test_create_faucet_send_stake_rewards_withdraw(qtbot, ctx, session, wallet_panel, staking_panel, data_dir,
                                                   tmp_path):
    phrase = create_wallet_via_wizard(qtbot, wallet_panel)
    assert wallet_panel.pages.currentIndex() == 2
    account = session.current_account()
    secret = account.secret_key()
    seed = mnemonic_to_seed(phrase)

    # faucet: exact balance in the accounts table
    qtbot.mouseClick(wallet_panel.faucet_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Received 2 SOMA from the faucet")
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.item(0, 2).text() == "2 SOMA", timeout=10_000)

    # a second account to send to
    qtbot.mouseClick(wallet_panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wallet_panel.accounts_table.rowCount() == 2, timeout=10_000)
    second = session.accounts()[1].address
    session.set_current(account.address)

    # send 0.5 SOMA: fee preview and total before signing, then the outcome
    qtbot.mouseClick(wallet_panel.send_button, Qt.MouseButton.LeftButton)
    dialog = wallet_panel.active_dialog
    assert isinstance(dialog, SendDialog)
    assert not dialog.review_button.isEnabled() and dialog.review_button.toolTip()
    qtbot.keyClicks(dialog.recipient.edit, second[:20])
    assert "64 hex digits" in dialog.recipient.error.text()
    dialog.recipient.edit.setText(second)
    qtbot.keyClicks(dialog.amount.edit, "0.5")
    fee = 1_000 + 2 * 300 + SOMA // 2 * ctx.state.value_fee_bps // 10_000
    assert dialog.fee_label.text() == f"≈ {format_soma(fee)}"
    assert dialog.total_label.text() == format_soma(SOMA // 2 + fee)
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    assert "500,000,000 shannons" in dialog.summary.text() and second in dialog.summary.text()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, wallet_panel.banner, "Sent 0.5 SOMA")
    qtbot.waitUntil(lambda: _balance_of(wallet_panel, 1) == SOMA // 2, timeout=10_000)
    qtbot.waitUntil(lambda: _balance_of(wallet_panel, 0) == 2 * SOMA - SOMA // 2 - fee, timeout=10_000)
    qtbot.waitUntil(lambda: table_texts(wallet_panel.history_table, 5) == ["Confirmed", "Confirmed"],
                    timeout=10_000)
    assert table_texts(wallet_panel.history_table, 1) == ["Sent", "Faucet"]

    # a transaction the chain rejects is kept with the chain's reason (and its base fee)
    validator = run(ctx, ctx.network.get_validators())[0].address
    failures: list = []
    session.tracker.run(ctx.services.staking.stake(account, validator, 0), lambda _out: None, failures.append,
                        "stake")
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    qtbot.waitUntil(lambda: table_texts(wallet_panel.history_table, 5)[0].startswith("Failed: "), timeout=10_000)
    assert "[InvalidArguments]" in table_texts(wallet_panel.history_table, 5)[0]

    # stake 1 SOMA to the first validator
    qtbot.waitUntil(lambda: staking_panel.snapshot is not None and staking_panel.stake_button.isEnabled(),
                    timeout=10_000)
    qtbot.mouseClick(staking_panel.stake_button, Qt.MouseButton.LeftButton)
    stake = staking_panel.active_dialog
    assert isinstance(stake, StakeDialog)
    qtbot.mouseClick(stake.amount.max_button, Qt.MouseButton.LeftButton)
    assert 0 < stake.amount.value() < _balance_of(wallet_panel, 0)
    stake.amount.edit.setText("1")
    assert "epoch 1" in stake.when_label.text()
    qtbot.mouseClick(stake.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(stake.stake_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "Staked 1 SOMA")
    qtbot.waitUntil(lambda: table_texts(staking_panel.positions_table, 4) == ["Activating – epoch 1"],
                    timeout=10_000)

    # next epoch: active, earning; rewards from the epoch after
    _advance(qtbot, ctx)
    qtbot.waitUntil(lambda: table_texts(staking_panel.positions_table, 4) == ["Earning"], timeout=10_000)
    assert table_texts(staking_panel.positions_table, 2) == ["0 SOMA"]
    _advance(qtbot, ctx)
    qtbot.waitUntil(lambda: parse_soma(staking_panel.positions_table.item(0, 2).text()) > 0, timeout=10_000)
    rewards = parse_soma(staking_panel.positions_table.item(0, 2).text())
    assert "rewards to date" in staking_panel.totals_label.text()
    assert staking_panel.validators_table.item(0, 4).text() != "—"      # yield from two epochs of rates
    # the sandbox's short epochs make a yearly rate absurd: the return per epoch is shown instead
    assert staking_panel.validators_table.item(0, 4).text().endswith("% per epoch")
    assert staking_panel.validators_table.horizontalHeaderItem(4).text() == "Return (est.)"

    # withdraw: principal + rewards arrive at once
    before = run(ctx, ctx.network.get_balance(account.address))
    staking_panel.select_position(0)
    qtbot.mouseClick(staking_panel.withdraw_button, Qt.MouseButton.LeftButton)
    confirm = staking_panel.active_dialog
    assert "forfeited" in confirm.summary.text()
    qtbot.mouseClick(confirm.confirm_button, Qt.MouseButton.LeftButton)
    wait_banner(qtbot, staking_panel.banner, "Withdrew")
    qtbot.waitUntil(lambda: staking_panel.positions_table.rowCount() == 0, timeout=10_000)
    after = run(ctx, ctx.network.get_balance(account.address))
    withdraw_fee = 1_000 + 3 * 300 + SOMA * (ctx.state.value_fee_bps // 2) // 10_000    # on the principal
    assert after - before == SOMA + rewards - withdraw_fee

    # history: every action with its status; CSV export of it
    qtbot.waitUntil(lambda: len(table_texts(wallet_panel.history_table, 1)) == 5, timeout=10_000)
    assert table_texts(wallet_panel.history_table, 1) == ["Withdrew stake", "Staked", "Staked", "Sent", "Faucet"]
    out = tmp_path / "history.csv"
    wallet_panel.export_history_csv(str(out))
    wait_banner(qtbot, wallet_panel.banner, "Exported 5 transactions")
    rows = list(csv.DictReader(out.open()))
    assert [r["kind"] for r in rows] == ["withdraw_stake", "stake", "stake", "transfer", "faucet"]
    assert [r["status"] for r in rows] == ["confirmed", "confirmed", "failed", "confirmed", "confirmed"]
    assert "InvalidArguments" in rows[2]["reason"]

    # the privacy toggle hides every amount on both panels
    wallet_panel.hide_check.setChecked(True)
    assert all("••••••" in t for t in table_texts(wallet_panel.accounts_table, 2))
    assert all("••••••" in t for t in table_texts(wallet_panel.history_table, 2))
    assert all("••••••" in t for t in table_texts(staking_panel.validators_table, 3))
    assert "••••••" in staking_panel.totals_label.text()
    assert ctx.settings.hide_amounts

    # nothing secret on disk after the whole session
    session.lock()
    _assert_no_secret_in(data_dir, phrase, secret, seed)


def _assert_no_secret_in(folder, phrase: str, secret: bytes, seed: bytes) -> None:
    words = phrase.split()
    needles = {
        "phrase": phrase.encode(), "secret": secret, "secret hex": secret.hex().encode(),
        "secret HEX": secret.hex().upper().encode(), "secret b64": base64.b64encode(secret),
        "keystore entry": base64.b64encode(b"\x00" + secret), "bech32": encode_secret_bech32(secret).encode(),
        "seed": seed, "seed hex": seed.hex().encode(),
    }
    needles.update({f"words {i}-{i + 3}": " ".join(words[i:i + 4]).encode() for i in range(len(words) - 3)})
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "wallet.vault" for p in files)
    for path in files:
        try:
            data = path.read_bytes()
        except FileNotFoundError:   # an atomic write's temp file, renamed while we listed the folder
            continue
        for what, needle in needles.items():
            assert needle not in data, f"{what} found in {path.name}"
