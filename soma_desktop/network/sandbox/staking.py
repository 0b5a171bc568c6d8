"""Staking-pool bookkeeping (protocol.md §4.1) on the sandbox's `Pool` records, shared by validator and model
pools. The exchange-rate and reward math is `soma_desktop.protocol.staking`."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.sandbox.records import Pool
from soma_desktop.protocol import staking as rules


def is_preactive(pool: Pool) -> bool:
    return pool.activation_epoch is None


def is_inactive(pool: Pool) -> bool:
    return pool.deactivation_epoch is not None


def rate(pool: Pool, epoch: int) -> rules.Rate:
    """(soma, tokens) in effect at `epoch`; (0, 0) means 1:1."""
    rates = {int(k): v for k, v in pool.exchange_rates.items()}
    return rules.rate_at(rates, pool.activation_epoch, pool.deactivation_epoch, epoch)


def request_add_stake(pool: Pool, amount: int) -> None:
    """Receipt activates at E+1; a pre-active pool takes the stake into its balance at once."""
    if is_preactive(pool):
        pool.soma_balance += amount
        pool.pool_token_balance += amount
    else:
        pool.pending_stake += amount


def deposit_rewards(pool: Pool, amount: int) -> None:
    pool.soma_balance += amount
    pool.rewards_pool += amount


@dataclass(frozen=True)
class Withdrawal:
    payout: int
    capped: bool        # D9: the pool could not cover the computed amount


def request_withdraw(pool: Pool, principal: int, activation_epoch: int, epoch: int) -> Withdrawal:
    """Pay out a receipt now; the pool side is applied at the boundary (at once for pre-active/inactive pools).

    An inactive pool settles every queued withdrawal with this one (`staking.rs:88-91`): withdrawals queued
    before a DeactivateModel stay pending until then (Erratum 6).
    D9: the chain can underflow here (same-epoch withdrawal from a pre-active pool, withdrawals after a
    slash); the sandbox caps the payout at what the pool still holds and flags it.
    """
    if activation_epoch > epoch and not is_preactive(pool):
        amount = min(principal, pool.pending_stake)
        pool.pending_stake -= amount
        return Withdrawal(amount, amount < principal)
    tokens = rules.soma_to_tokens(rate(pool, activation_epoch), principal)
    reward = rules.withdrawal_reward(principal, rate(pool, activation_epoch), rate(pool, epoch), pool.rewards_pool)
    wanted = principal + reward
    if is_inactive(pool):
        process_pending_withdraws(pool)
    if is_preactive(pool) or is_inactive(pool):
        payout = min(wanted, max(pool.value, 0))
        from_balance = min(payout, pool.soma_balance)
        pool.soma_balance -= from_balance
        pool.pending_stake -= payout - from_balance        # stake an inactive pool never processed
        pool.pool_token_balance = max(pool.pool_token_balance - tokens, 0)
    else:
        # applied at the boundary before pending stake is added, so only the settled balance can pay
        payout = min(wanted, max(pool.soma_balance - pool.pending_total_soma_withdraw, 0))
        pool.pending_total_soma_withdraw += payout
        pool.pending_pool_token_withdraw += tokens
    pool.rewards_pool = max(min(pool.rewards_pool - min(reward, payout), pool.soma_balance), 0)
    return Withdrawal(payout, payout < wanted)


def process_pending_withdraws(pool: Pool) -> None:
    pool.soma_balance -= pool.pending_total_soma_withdraw
    pool.pool_token_balance = max(pool.pool_token_balance - pool.pending_pool_token_withdraw, 0)
    pool.pending_total_soma_withdraw = 0
    pool.pending_pool_token_withdraw = 0


def process_pending_stake(pool: Pool) -> None:
    prev = (pool.soma_balance, pool.pool_token_balance)
    pool.soma_balance += pool.pending_stake
    pool.pending_stake = 0
    pool.pool_token_balance = rules.pool_tokens_after_stake(prev, pool.soma_balance)


def process_boundary(pool: Pool, new_epoch: int, *, write_rate: bool) -> None:
    """Withdrawals, then stakes, then (for active pools) `exchange_rates[new_epoch]`."""
    process_pending_withdraws(pool)
    process_pending_stake(pool)
    if write_rate:
        pool.exchange_rates[str(new_epoch)] = [pool.soma_balance, pool.pool_token_balance]
    if pool.rewards_pool > pool.soma_balance:
        pool.rewards_pool = pool.soma_balance


def slash(pool: Pool, rate_bps: int) -> int:
    """Remove floor(soma_balance × rate) from the pool; returns the burned amount."""
    amount = pool.soma_balance * rate_bps // 10_000
    pool.soma_balance -= amount
    pool.rewards_pool = min(pool.rewards_pool, pool.soma_balance)
    return amount
