"""What the Staking panel shows about stakes (value, state, APY); fee rules: tests/protocol."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.network.types import PoolInfo, StakedSoma
from soma_desktop.protocol.staking import rate_at
from soma_desktop.services.stake_positions import StakeState, Totals, position_rewards, position_state, positions
from soma_desktop.services.stake_yield import MS_PER_YEAR, apy_text, estimated_apy, per_epoch_return, yield_text


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


def test_positions_name_their_pool_and_total_principal_and_rewards():
    from soma_desktop.network.types import Validator

    pool = _pool({0: (10**9, 10**9), 3: (11 * 10**8, 10**9)})
    validator = Validator(address="0x" + "a" * 64, name="Val", voting_power=10_000, commission_rate=200,
                          next_commission_rate=200, pool=pool)
    big = 5 * 2**32
    earning = StakedSoma("0x2", "0x1", "0x1", 1, big)
    activating = StakedSoma("0x3", "0x1", "0x1", 4, big)
    orphan = StakedSoma("0x4", "0x9", "0x9", 1, big)          # its pool is not listed: not shown
    rows = positions([earning, activating, orphan], [validator], [], 3)
    assert [p.state for p in rows] == [StakeState.EARNING, StakeState.ACTIVATING]
    assert rows[0].target_name == "Val" and rows[0].rewards == big // 10 and rows[0].value == big + big // 10
    totals = Totals.of(rows)
    assert (totals.principal, totals.rewards, totals.activating) == (2 * big, big // 10, 1)


def test_sandbox_shows_the_return_per_epoch_not_a_yearly_rate():
    pool = _pool({0: (100, 100), 1: (110, 100)})
    assert yield_text(pool, 60_000, sandbox=True) == "10.000% per epoch"
    assert yield_text(pool, MS_PER_YEAR, sandbox=False) == "10.00% (10.000% per epoch)"
    assert yield_text(_pool({0: (100, 100)}), 60_000, sandbox=True) == "—"
