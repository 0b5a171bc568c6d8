"""Staking-pool arithmetic (protocol.md §4.1), shared by validator and model pools. Pure functions on `Pool`."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.sandbox.records import Pool


def is_preactive(pool: Pool) -> bool:
    return pool.activation_epoch is None


def is_inactive(pool: Pool) -> bool:
    return pool.deactivation_epoch is not None


def rate(pool: Pool, epoch: int) -> tuple[int, int]:
    """(soma, tokens) in effect at `epoch`; (0, 0) means 1:1."""
    if pool.activation_epoch is None or epoch < pool.activation_epoch:
        return (0, 0)
    if pool.deactivation_epoch is not None:
        epoch = min(epoch, pool.deactivation_epoch)
    best: tuple[int, int] = (0, 0)
    best_epoch = -1
    for key, value in pool.exchange_rates.items():
        e = int(key)
        if best_epoch < e <= epoch:
            best, best_epoch = (value[0], value[1]), e
    return best


def soma_to_tokens(r: tuple[int, int], soma: int) -> int:
    if r[0] == 0 or r[1] == 0:
        return soma
    return soma * r[1] // r[0]


def tokens_to_soma(r: tuple[int, int], tokens: int) -> int:
    if r[0] == 0 or r[1] == 0:
        return tokens
    return tokens * r[0] // r[1]


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

    D9: the chain can underflow here (same-epoch withdrawal from a pre-active pool, withdrawals after a
    slash); the sandbox caps the payout at what the pool still holds and flags it.
    """
    if activation_epoch > epoch and not is_preactive(pool):
        amount = min(principal, pool.pending_stake)
        pool.pending_stake -= amount
        return Withdrawal(amount, amount < principal)
    tokens = soma_to_tokens(rate(pool, activation_epoch), principal)
    value = tokens_to_soma(rate(pool, epoch), tokens)
    reward = min(max(value - principal, 0), pool.rewards_pool)
    wanted = principal + reward
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
    if prev[0] == 0 or prev[1] == 0:
        pool.pool_token_balance = pool.soma_balance
    else:
        pool.pool_token_balance = prev[1] * pool.soma_balance // prev[0]


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
