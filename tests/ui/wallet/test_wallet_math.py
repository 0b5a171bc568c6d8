"""What the wallet shows about stakes (value, state, APY) and address checks; fee rules: tests/protocol."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.types import PoolInfo, StakedSoma
from soma_desktop.protocol.staking import rate_at
from soma_desktop.ui.wallet.stake_math import (
    MS_PER_YEAR,
    StakeState,
    apy_text,
    estimated_apy,
    per_epoch_return,
    position_rewards,
    position_state,
)
from soma_desktop.ui.widgets.address_field import address_problem


def _pool(rates, activation=0, deactivation=None, rewards_pool=10**12):
    return PoolInfo("0x1", 0, rewards_pool, 0, 0, activation, deactivation, rates)


def test_rate_lookup_uses_latest_entry_and_caps_at_deactivation():
    pool = _pool({0: (100, 100), 2: (120, 100), 5: (150, 100)}, deactivation=3)
    def at(p, epoch):
        return rate_at(p.exchange_rates, p.activation_epoch, p.deactivation_epoch, epoch)
    assert at(pool, 1) == (100, 100)
    assert at(pool, 4) == (120, 100)                  # capped at epoch 3 → entry of epoch 2
    assert at(_pool({}, activation=None), 9) == (0, 0)


@given(principal=st.integers(1, 10**15), growth=st.integers(0, 10**6), act=st.integers(1, 5))
def test_rewards_follow_the_exchange_rate_from_activation(principal, growth, act):
    rates = {e: (10**9 + (growth if e > act else 0), 10**9) for e in range(act + 3)}
    pool = _pool(rates)
    stake = StakedSoma("0x2", "0x3", "0x1", act, principal)
    assert position_rewards(stake, pool, act - 1) == 0       # still activating
    tokens = principal * 10**9 // 10**9
    expected = tokens * (10**9 + growth) // 10**9 - principal
    assert position_rewards(stake, pool, act + 1) == expected


def test_position_states():
    stake = StakedSoma("0x2", "0x3", "0x1", 4, 10)
    pool = _pool({0: (1, 1)})
    assert position_state(stake, pool, 3, is_model=False) is StakeState.ACTIVATING
    assert position_state(stake, pool, 4, is_model=False) is StakeState.EARNING
    assert position_state(stake, pool, 4, is_model=True) is StakeState.ROUTING
    assert position_state(stake, _pool({0: (1, 1)}, deactivation=4), 5, is_model=False) is StakeState.WITHDRAWABLE


def test_apy_from_exchange_rates():
    pool = _pool({0: (100, 100), 1: (110, 100)})
    rate, span = per_epoch_return(pool)
    assert math.isclose(rate, 0.1) and span == 1
    assert math.isclose(estimated_apy(pool, MS_PER_YEAR), 0.1)      # one epoch per year
    assert math.isclose(estimated_apy(pool, MS_PER_YEAR // 2), 0.21)  # compounded twice
    assert estimated_apy(_pool({0: (100, 100)}), MS_PER_YEAR) is None
    assert apy_text(0.1234) == "12.34%" and apy_text(None) == "—" and apy_text(math.inf) == "> 1,000%"


@given(st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64), st.booleans())
def test_full_hex_addresses_are_accepted(body, prefix):
    assert address_problem(("0x" if prefix else "") + body) == ""


@given(st.text(alphabet="0123456789abcdef", max_size=80).filter(lambda t: len(t) != 64))
def test_wrong_length_is_explained(body):
    problem = address_problem("0x" + body)
    assert problem == "Enter the recipient's address" if not body else f"this one has {len(body)}" in problem
