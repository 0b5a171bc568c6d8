"""What the Staking panel shows about a stake receipt: its state and its rewards to date.

The exchange-rate and reward rules are `soma_desktop.protocol.staking` (the chain's withdrawal rule), applied
here to the network's `PoolInfo` / `StakedSoma` views. The yield estimate is services/stake_yield.py.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from soma_desktop.core.ids import short_id
from soma_desktop.network.types import ModelInfo, ModelState, PoolInfo, StakedSoma, Validator
from soma_desktop.protocol import staking as rules

STAKEABLE_MODEL_STATES = (ModelState.CREATED, ModelState.PENDING, ModelState.ACTIVE)


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


@dataclass(frozen=True)
class Totals:
    principal: int
    rewards: int
    activating: int                # how many positions activate at the next epoch

    @classmethod
    def of(cls, positions: Sequence[Position]) -> Totals:
        return cls(sum(p.stake.principal for p in positions), sum(p.rewards for p in positions),
                   sum(1 for p in positions if p.state is StakeState.ACTIVATING))


def position_state(stake: StakedSoma, pool: PoolInfo, epoch: int, is_model: bool) -> StakeState:
    if pool.deactivation_epoch is not None and pool.deactivation_epoch <= epoch:
        return StakeState.WITHDRAWABLE
    if stake.activation_epoch > epoch:
        return StakeState.ACTIVATING
    return StakeState.ROUTING if is_model else StakeState.EARNING


def model_label(model: ModelInfo) -> str:
    return f"{model.title or 'Model ' + short_id(model.id)} ({model.state.value})"


def positions(stakes: Sequence[StakedSoma], validators: Sequence[Validator], models: Sequence[ModelInfo],
              epoch: int) -> list[Position]:
    """Each receipt whose pool is known, with its state and rewards as of `epoch`."""
    pools = {v.pool.id: ("validator", v.name or short_id(v.address), v.address, v.pool) for v in validators}
    pools.update({m.pool.id: ("model", model_label(m), m.id, m.pool) for m in models})
    out: list[Position] = []
    for stake in stakes:
        if stake.pool_id not in pools:
            continue
        kind, name, target_id, pool = pools[stake.pool_id]
        state = position_state(stake, pool, epoch, kind == "model")
        rewards = position_rewards(stake, pool, epoch) if state is not StakeState.ROUTING else 0
        out.append(Position(stake, kind, name, target_id, state, rewards))
    return out
