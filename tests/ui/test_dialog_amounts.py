"""Every amount from one shannon to the total supply (10^16 shannons) leaves the Send, Stake and Create
dialogs exactly as typed (issue 11): the Qt signals carry Python ints, never a 32-bit C int."""

from __future__ import annotations

from types import SimpleNamespace as NS

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from soma_desktop.core.amounts import format_soma
from soma_desktop.network.types import Coin
from soma_desktop.ui.publish.pages import CreatePage
from tests.ui.conftest import run
from tests.ui.wallet.helpers import build_send_dialog, build_stake_dialog

TOTAL_SUPPLY = 10**16
SENDER = NS(name="Whale", address="0x" + "1" * 64)
RECIPIENT = "0x" + "2" * 64
WHALE_COIN = [Coin(id="0x" + "3" * 64, owner=SENDER.address, balance=2 * TOTAL_SUPPLY)]
AMOUNTS = st.one_of(st.sampled_from([1, 2**31 - 1, 2**31, 2**32, 2**33, 2**53 + 1, TOTAL_SUPPLY]),
                    st.integers(min_value=1, max_value=TOTAL_SUPPLY))
FIXTURES = dict(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def typed(shannons: int) -> str:
    return format_soma(shannons, unit=False, group=False)


@settings(**FIXTURES)
@given(amount=AMOUNTS)
def test_send_dialog_emits_the_exact_amount(qtbot, ctx, amount):
    dialog = build_send_dialog(ctx, SENDER, WHALE_COIN)
    qtbot.addWidget(dialog)
    sent: list[tuple] = []
    dialog.sig_send_confirmed.connect(lambda *args: sent.append(args))
    dialog.recipient.edit.setText(RECIPIENT)
    dialog.amount.edit.setText(typed(amount))
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert sent == [(RECIPIENT, amount)]


@settings(**FIXTURES)
@given(amount=AMOUNTS, to_model=st.booleans())
def test_stake_dialog_emits_the_exact_amount(qtbot, ctx, amount, to_model):
    validators = run(ctx, ctx.network.get_validators())
    models = run(ctx, ctx.network.list_models())
    dialog = build_stake_dialog(ctx, SENDER, WHALE_COIN, validators, models,
                         ("model", models[0].id) if to_model else None)
    qtbot.addWidget(dialog)
    staked: list[tuple] = []
    dialog.sig_stake_confirmed.connect(lambda *args: staked.append(args))
    dialog.amount.edit.setText(typed(amount))
    qtbot.mouseClick(dialog.review_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.stake_button, Qt.MouseButton.LeftButton)
    expected = ("model", models[0].id) if to_model else ("validator", validators[0].address)
    assert staked == [(*expected, amount)]


@settings(**FIXTURES)
@given(stake=st.integers(min_value=10**9, max_value=TOTAL_SUPPLY))
def test_create_page_emits_the_exact_stake(qtbot, ctx, stake):
    page = CreatePage(ctx, ctx.wallet.amounts_hidden)
    qtbot.addWidget(page)
    requested: list[tuple] = []
    page.sig_create_requested.connect(lambda *args: requested.append(args))
    page.stake.setText(typed(stake))
    page.commission.setValue(10_000)
    assert page.button.isEnabled()
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert requested == [(stake, 10_000)]
