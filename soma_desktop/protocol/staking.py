"""Staking-pool arithmetic and reward math (protocol.md §4; `types/src/system_state/staking.rs`).

Pure integer functions on exchange rates: `rates` maps epoch → (soma_amount, pool_token_amount). A zero on
either side means 1:1 (pre-active pools, epochs before activation).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from soma_desktop.protocol.params import BPS, TOTAL_VOTING_POWER, VALIDATOR_REWARD_ALLOCATION_BPS

Rate = tuple[int, int]
ONE_TO_ONE: Rate = (0, 0)


def rate_at(rates: Mapping[int, Sequence[int]], activation_epoch: int | None, deactivation_epoch: int | None,
            epoch: int) -> Rate:
    """The rate in effect at `epoch`: the latest entry ≤ epoch, capped at deactivation (`staking.rs:182-218`)."""
    if activation_epoch is None or epoch < activation_epoch:
        return ONE_TO_ONE
    if deactivation_epoch is not None:
        epoch = min(epoch, deactivation_epoch)
    known = [e for e in rates if e <= epoch]
    if not known:
        return ONE_TO_ONE
    soma, tokens = rates[max(known)]
    return (soma, tokens)


def stake_activation_epoch(epoch: int) -> int:
    """Stake added in `epoch` counts from the start of the next epoch (`staking.rs` request_add_stake)."""
    return epoch + 1


def first_reward_epoch(epoch: int) -> int:
    """Stake added in `epoch` first shows rewards in the exchange rate one epoch after it activates."""
    return stake_activation_epoch(epoch) + 1


def soma_to_tokens(rate: Rate, soma: int) -> int:
    return soma if rate[0] == 0 or rate[1] == 0 else soma * rate[1] // rate[0]


def tokens_to_soma(rate: Rate, tokens: int) -> int:
    return tokens if rate[0] == 0 or rate[1] == 0 else tokens * rate[0] // rate[1]


def withdrawal_reward(principal: int, activation_rate: Rate, current_rate: Rate, rewards_pool: int) -> int:
    """What a withdrawal adds to the principal: the token value gain, capped at the pool's rewards (`:65-99`)."""
    tokens = soma_to_tokens(activation_rate, principal)
    value = tokens_to_soma(current_rate, tokens)
    return min(max(value - principal, 0), rewards_pool)


def rewards_to_date(principal: int, stake_activation_epoch: int, rates: Mapping[int, Sequence[int]],
                    pool_activation_epoch: int | None, pool_deactivation_epoch: int | None, rewards_pool: int,
                    epoch: int) -> int:
    """Rewards a withdrawal in `epoch` would add to `principal` (0 while the stake is activating)."""
    if stake_activation_epoch > epoch:
        return 0
    start = rate_at(rates, pool_activation_epoch, pool_deactivation_epoch, stake_activation_epoch)
    now = rate_at(rates, pool_activation_epoch, pool_deactivation_epoch, epoch)
    return withdrawal_reward(principal, start, now, rewards_pool)


def pool_tokens_after_stake(prev: Rate, new_soma_balance: int) -> int:
    """Pool tokens after pending stake is processed at a boundary (`staking.rs:157-179`)."""
    return new_soma_balance if prev[0] == 0 or prev[1] == 0 else prev[1] * new_soma_balance // prev[0]


def validator_allocation(total_rewards: int) -> int:
    """The validators' share of fees + emission (70 %); the rest returns to the emission pool."""
    return total_rewards * VALIDATOR_REWARD_ALLOCATION_BPS // BPS


def validator_reward(voting_power: int, allocation: int, total_voting_power: int) -> int:
    return voting_power * allocation // (total_voting_power or 1)


def commission(reward: int, commission_rate_bps: int) -> int:
    """The validator's commission, paid as a StakedSoma active from the new epoch."""
    return reward * commission_rate_bps // BPS


def voting_powers(stakes: Sequence[tuple[str, int]]) -> dict[str, int]:
    """VP = min(floor(stake × 10000 / total), cap), then the leftover spread (`validator.rs:1047-1110`).

    `stakes`: (address, stake). Leftover: every validator gets floor(remaining / n); the first
    `remaining mod n`, by stake (highest first) then address, get one more.
    """
    n = len(stakes)
    if n == 0:
        return {}
    total = sum(s for _, s in stakes)
    cap = min(max(math.ceil(TOTAL_VOTING_POWER / n), 1_000), TOTAL_VOTING_POWER)
    power = {a: (min(s * TOTAL_VOTING_POWER // total, cap) if total else 0) for a, s in stakes}
    share, extra = divmod(TOTAL_VOTING_POWER - sum(power.values()), n)
    ranked = sorted(stakes, key=lambda item: (-item[1], item[0]))
    for i, (address, _) in enumerate(ranked):
        power[address] += share + (1 if i < extra else 0)
    return power
