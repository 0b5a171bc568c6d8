"""The synthetic validator set (D4): staking transactions, rewards with commission, voting power (§4.2)."""

from __future__ import annotations

from soma_desktop.network.sandbox import staking
from soma_desktop.network.sandbox.ledger import TxContext, fail
from soma_desktop.network.sandbox.store import StakedRow, Store
from soma_desktop.protocol import staking as rules


def add_stake(ctx: TxContext, validator_address: str, amount: int) -> str:
    """AddStake from the gas coin. The coin balance (stake + value fee + 3 writes) is checked before the
    validator, then the amount (Erratum 5, `authority/src/execution/staking.rs:70-84`, `mod.rs:342-368`)."""
    gas = ctx.gas_coin()
    ctx.charge_value_fee(amount)
    ctx.precheck(gas, amount)
    validator = ctx.store.validator(validator_address)
    if validator is None:
        fail("ValidatorNotFound", f"no validator {validator_address}")
    if amount == 0:
        fail("InvalidArguments", "stake amount must be positive")
    ctx.debit(gas, amount)
    pool = ctx.store.pool(validator.pool_id)
    assert pool is not None
    staking.request_add_stake(pool, amount)
    ctx.store.put_pool(pool)
    staked_id = ctx.next_id()
    ctx.store.put_staked(StakedRow(staked_id, ctx.sender or "", pool.id,
                                  rules.stake_activation_epoch(ctx.system.epoch), amount))
    ctx.note_created(staked_id)
    ctx.touch_system()
    return staked_id


def withdraw_stake(ctx: TxContext, staked: StakedRow) -> str:
    """Routing: validator pools, then model pools, else StakingPoolNotFound. The coin is paid at once."""
    validator_pools = {v.pool_id for v in ctx.store.validators()}
    model = None if staked.pool_id in validator_pools else ctx.store.model_for_pool(staked.pool_id)
    if staked.pool_id not in validator_pools and model is None:
        fail("StakingPoolNotFound", f"no pool {staked.pool_id}")
    pool = ctx.store.pool(staked.pool_id)
    assert pool is not None
    result = staking.request_withdraw(pool, staked.principal, staked.activation_epoch, ctx.system.epoch)
    if result.capped:
        ctx.notes.append("withdrawal capped at what the pool holds (D9)")
    ctx.store.put_pool(pool)
    ctx.store.delete_staked(staked.id)
    ctx.note_deleted(staked.id)
    ctx.charge_value_fee(staked.principal)        # on the principal, not the payout (Erratum 1)
    coin_id = ctx.mint_coin(ctx.sender or "", result.payout)
    ctx.touch_system()
    return coin_id


def set_voting_power(store: Store) -> None:
    """Voting power from pool balances (protocol.staking.voting_powers, §4.2)."""
    validators = store.validators()
    stakes = []
    for v in validators:
        pool = store.pool(v.pool_id)
        assert pool is not None
        stakes.append((v.address, pool.soma_balance))
    power = rules.voting_powers(stakes)
    for v in validators:
        v.voting_power = power[v.address]
        store.put_validator(v)


def distribute_rewards(ctx: TxContext, allocation: int, new_epoch: int) -> int:
    """Pay `allocation` by voting power; commission becomes a StakedSoma active from `new_epoch`.

    Returns the undistributed remainder (goes back to the emission pool). Then applies commission changes,
    processes stakes/withdrawals and writes `exchange_rates[new_epoch]` (§4.2 boundary order).
    """
    validators = ctx.store.validators()
    total_vp = sum(v.voting_power for v in validators) or 1
    paid = 0
    for v in validators:
        pool = ctx.store.pool(v.pool_id)
        assert pool is not None
        reward = rules.validator_reward(v.voting_power, allocation, total_vp)
        commission = rules.commission(reward, v.commission_rate)
        staking.deposit_rewards(pool, reward - commission)
        if commission:
            pool.pending_stake += commission
            staked_id = ctx.next_id()              # validator-reward StakedSoma take the first counters
            ctx.store.put_staked(StakedRow(staked_id, v.address, pool.id, new_epoch, commission))
            ctx.note_created(staked_id)
        paid += reward
        ctx.store.put_pool(pool)
    for v in validators:
        v.commission_rate = v.next_commission_rate
        ctx.store.put_validator(v)
        pool = ctx.store.pool(v.pool_id)
        assert pool is not None
        staking.process_boundary(pool, new_epoch, write_rate=True)
        ctx.store.put_pool(pool)
    set_voting_power(ctx.store)
    return allocation - paid

