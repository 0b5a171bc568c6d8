"""What the Staking panel shows about a stake receipt: its state, its rewards to date and validator APY.

The exchange-rate and reward rules are `soma_desktop.protocol.staking` (the chain's withdrawal rule), applied
here to the network's `PoolInfo` / `StakedSoma` views; the APY estimate and its text are presentation only.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from soma_desktop.network.types import PoolInfo, StakedSoma
from soma_desktop.protocol import staking as rules

MS_PER_YEAR = 365 * 24 * 3600 * 1000
APY_WINDOW_EPOCHS = 30


def position_rewards(stake: StakedSoma, pool: PoolInfo, epoch: int) -> int:
    """Rewards a withdrawal in `epoch` would add to the principal (0 while activating)."""
    return rules.rewards_to_date(stake.principal, stake.activation_epoch, pool.exchange_rates,
                                 pool.activation_epoch, pool.deactivation_epoch, pool.rewards_pool, epoch)


class StakeState(str, enum.Enum):
    ACTIVATING = "activating"
    EARNING = "earning"
    ROUTING = "routing"            # model pools never earn rewards
    WITHDRAWABLE = "withdrawable"  # the pool is inactive: nothing more to earn, withdraw any time


@dataclass(frozen=True)
class Position:
    stake: StakedSoma
    target_kind: str               # "validator" | "model"
    target_name: str
    target_id: str
    state: StakeState
    rewards: int

    @property
    def value(self) -> int:
        return self.stake.principal + self.rewards


def position_state(stake: StakedSoma, pool: PoolInfo, epoch: int, is_model: bool) -> StakeState:
    if pool.deactivation_epoch is not None and pool.deactivation_epoch <= epoch:
        return StakeState.WITHDRAWABLE
    if stake.activation_epoch > epoch:
        return StakeState.ACTIVATING
    return StakeState.ROUTING if is_model else StakeState.EARNING


def per_epoch_return(pool: PoolInfo, window: int = APY_WINDOW_EPOCHS) -> tuple[float, int] | None:
    """Average growth of one pool token per epoch over the last `window` epochs of rates, and the span.

    None until the pool has two rate entries (the first epoch after genesis or activation).
    """
    rates = {e: r for e, r in pool.exchange_rates.items() if r[0] > 0 and r[1] > 0}
    if len(rates) < 2:
        return None
    last = max(rates)
    first = min((e for e in rates if e >= last - window), default=last)
    if first == last:
        first = max(e for e in rates if e < last)
    span = last - first
    s1, t1 = rates[first]
    s2, t2 = rates[last]
    growth = (s2 * t1) / (s1 * t2)
    return growth ** (1 / span) - 1, span


def estimated_apy(pool: PoolInfo, epoch_duration_ms: int, window: int = APY_WINDOW_EPOCHS) -> float | None:
    """Compounded yearly yield implied by recent exchange rates (Sui's calculateAPY idea). May be inf."""
    found = per_epoch_return(pool, window)
    if found is None or epoch_duration_ms <= 0:
        return None
    per_epoch, _span = found
    epochs_per_year = MS_PER_YEAR / epoch_duration_ms
    if per_epoch <= -1:
        return -1.0
    exponent = epochs_per_year * math.log1p(per_epoch)
    return math.inf if exponent > 700 else math.expm1(exponent)


def apy_text(apy: float | None) -> str:
    if apy is None:
        return "—"
    if apy > 10:
        return "> 1,000%"
    return f"{apy * 100:.2f}%"
