"""Transaction fees (protocol.md §6.3 and Errata 1, 2, 4, 5, 7; `authority/src/execution/prepare_gas.rs`).

`total = base_fee + write_object_fee × objects written + value_fee`. Objects written = created + mutated objects,
counting the gas coin and, when touched, the SystemState object (models, pools and validators live inside it).
Deleted objects are not written. A failed transaction pays `base_fee` only (the whole gas coin if it holds less).

The value fee is computed before execution on a kind-specific base: the amount sent (TransferCoin, PayCoins;
a merge's smallest coin), the stake (AddStake, AddStakeToModel, CreateModel), the receipt's **principal**
(WithdrawStake) and the target's reward pool (ClaimRewards); the staking-like kinds pay `value_fee_bps // 2`.

The counts assume the sandbox's and the SDK's usual coin use: the gas coin is the coin sent or staked. On a
real network the SDK may pick another gas coin (Erratum 7: a transfer then writes 3); previews there are
estimates, `simulate_transaction` is exact.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol as _Protocol

from soma_desktop.core.amounts import bps_mul
from soma_desktop.protocol.params import (
    BASE_FEE,
    FEE_ADJUSTMENT_RATE_BPS,
    INITIAL_VALUE_FEE_BPS,
    MAX_VALUE_FEE_BPS,
    MIN_VALUE_FEE_BPS,
    TARGET_EPOCH_FEE_COLLECTION,
    WRITE_OBJECT_FEE,
)
from soma_desktop.protocol.targets import ClaimSplit


class ChainTx(str, enum.Enum):
    """User transaction kinds, named as on chain. MERGE_COINS is the SDK's merge (a TransferCoin, Erratum 4)."""

    TRANSFER_COIN = "TransferCoin"
    PAY_COINS = "PayCoins"
    MERGE_COINS = "MergeCoins"
    ADD_STAKE = "AddStake"
    WITHDRAW_STAKE = "WithdrawStake"
    CREATE_MODEL = "CreateModel"
    COMMIT_MODEL = "CommitModel"
    REVEAL_MODEL = "RevealModel"
    ADD_STAKE_TO_MODEL = "AddStakeToModel"
    SET_MODEL_COMMISSION_RATE = "SetModelCommissionRate"
    DEACTIVATE_MODEL = "DeactivateModel"
    SUBMIT_DATA = "SubmitData"
    CLAIM_REWARDS = "ClaimRewards"


K = ChainTx

# Objects written on success, gas coin included (the usual case; see pay/submit/claim helpers for the rest).
OBJECTS_WRITTEN: dict[ChainTx, int] = {
    K.TRANSFER_COIN: 2,               # gas coin (= coin sent), recipient coin          coin.rs:72-95
    K.PAY_COINS: 2,                   # gas coin + one coin per recipient: pay_writes()  coin.rs:243-245
    K.MERGE_COINS: 2,                 # merged gas coin, smallest coin (owner unchanged) coin.rs:150-156
    K.ADD_STAKE: 3,                   # gas coin, StakedSoma, SystemState               execution/staking.rs:71-73
    K.WITHDRAW_STAKE: 3,              # gas coin, payout coin, SystemState (receipt deleted)
    K.CREATE_MODEL: 3,                # gas coin, StakedSoma, SystemState               model.rs:109-111
    K.COMMIT_MODEL: 2,                # gas coin, SystemState
    K.REVEAL_MODEL: 2,
    K.ADD_STAKE_TO_MODEL: 3,          # gas coin, StakedSoma, SystemState (pre-check counts 2, Erratum 5)
    K.SET_MODEL_COMMISSION_RATE: 2,
    K.DEACTIVATE_MODEL: 2,
    K.SUBMIT_DATA: 4,                 # gas coin, target, SystemState, replacement target: submit_writes()
    K.CLAIM_REWARDS: 6,               # filled: gas, SystemState, 3 payouts, bond coin: claim_writes()
}

# What the executor checks the gas coin against before executing (write count), where it checks at all.
# A coin between the pre-check and the real charge fails later with InsufficientGas instead.
PRECHECK_WRITES: dict[ChainTx, int] = {
    K.TRANSFER_COIN: 2,               # coin.rs:55-65
    K.ADD_STAKE: 3,                   # execution/staking.rs:70-84
    K.CREATE_MODEL: 3,                # model.rs:109-116
    K.ADD_STAKE_TO_MODEL: 2,          # model.rs:223-229 (Erratum 5: charges 3)
}

FULL_RATE_KINDS = frozenset({K.TRANSFER_COIN, K.PAY_COINS, K.MERGE_COINS})
HALF_RATE_KINDS = frozenset({K.ADD_STAKE, K.WITHDRAW_STAKE, K.CREATE_MODEL, K.ADD_STAKE_TO_MODEL,
                             K.CLAIM_REWARDS})


class _FeeState(_Protocol):
    # read-only properties, so frozen dataclasses (SystemState) match too
    @property
    def base_fee(self) -> int: ...
    @property
    def write_object_fee(self) -> int: ...
    @property
    def value_fee_bps(self) -> int: ...


@dataclass(frozen=True)
class FeeParams:
    """The fee parameters in force (from a SystemState); defaults are protocol v5 at genesis."""

    base_fee: int = BASE_FEE
    write_object_fee: int = WRITE_OBJECT_FEE
    value_fee_bps: int = INITIAL_VALUE_FEE_BPS

    @classmethod
    def from_state(cls, state: _FeeState | None) -> FeeParams:
        if state is None:
            return cls()
        return cls(state.base_fee, state.write_object_fee, state.value_fee_bps)


@dataclass(frozen=True)
class Fee:
    """A fee in shannons, by part."""

    base: int
    writes: int
    value: int

    @property
    def total(self) -> int:
        return self.base + self.writes + self.value


def value_fee_rate(kind: ChainTx, value_fee_bps: int) -> int:
    """The bps applied to the kind's value base: full, half (integer halving) or none."""
    if kind in FULL_RATE_KINDS:
        return value_fee_bps
    if kind in HALF_RATE_KINDS:
        return value_fee_bps // 2
    return 0


def value_fee(kind: ChainTx, value_base: int, value_fee_bps: int) -> int:
    """bps_mul(base, rate). The base: amount sent, stake, principal (WithdrawStake), reward pool (claim)."""
    return bps_mul(value_base, value_fee_rate(kind, value_fee_bps))


def estimate_fee(kind: ChainTx, params: FeeParams, value_base: int = 0, *, writes: int | None = None) -> Fee:
    """The fee of a successful `kind` transaction; `writes` overrides the usual object count."""
    count = OBJECTS_WRITTEN[kind] if writes is None else writes
    return Fee(params.base_fee, params.write_object_fee * count, value_fee(kind, value_base, params.value_fee_bps))


# Erratum 7: soma-sdk picks the gas coin at random among the 8 richest. A transfer whose gas coin is not the coin
# it sends writes one object more, so on a real network its fee is a range, not one number.
EXTRA_WRITE_IF_OTHER_GAS_COIN = frozenset({K.TRANSFER_COIN})


def fee_span(kind: ChainTx, params: FeeParams, value_base: int = 0, *, random_gas_coin: bool) -> tuple[Fee, Fee]:
    """(lowest, highest) fee the coin choice allows: equal on the sandbox (always the richest coin)."""
    low = estimate_fee(kind, params, value_base)
    if not random_gas_coin or kind not in EXTRA_WRITE_IF_OTHER_GAS_COIN:
        return low, low
    return low, estimate_fee(kind, params, value_base, writes=OBJECTS_WRITTEN[kind] + 1)


def failed_fee(params: FeeParams, gas_balance: int) -> int:
    """A failed transaction pays base_fee only, or the whole gas coin if it holds less (prepare_gas.rs:70-84)."""
    return min(params.base_fee, gas_balance)


def pay_writes(recipients: int) -> int:
    """PayCoins from the gas coin: the gas coin plus one new coin per recipient (coin.rs:243-245)."""
    return 1 + recipients


def submit_writes(spawns_target: bool, bond_from_gas: bool = True) -> int:
    """SubmitData: gas coin, target, SystemState, a replacement target if one spawns, a separate bond coin."""
    return 3 + int(spawns_target) + int(not bond_from_gas)


def claim_writes(split: ClaimSplit) -> int:
    """ClaimRewards: gas coin, SystemState and one new coin per non-zero payout (submission.rs:455-514)."""
    payouts = (split.submitter, split.model_owner, split.claimer, split.bond_returned)
    return 2 + sum(1 for amount in payouts if amount > 0)


def claim_fee(params: FeeParams, split: ClaimSplit) -> Fee:
    """Errata 2: a filled claim at 10 bps with R = 12,685,185 writes 6 objects and costs 9,142."""
    return estimate_fee(K.CLAIM_REWARDS, params, split.reward, writes=claim_writes(split))


def precheck_need(kind: ChainTx, amount: int, params: FeeParams, *, writes: int | None = None) -> int:
    """What the executor requires the gas coin (after base_fee) to hold before it runs `kind` moving `amount`
    from it: amount + value fee + the pre-check's write count (PayCoins: pay_writes(recipients))."""
    count = PRECHECK_WRITES.get(kind, 0) if writes is None else writes
    return amount + params.write_object_fee * count + value_fee(kind, amount, params.value_fee_bps)


def max_amount(kind: ChainTx, coin_balance: int, params: FeeParams, reserve: int = 0) -> int:
    """The largest amount one coin can carry with its own fee, keeping `reserve` shannons back.

    Solve amount + fee(amount) ≤ balance − reserve; the value fee grows with the amount, so the closed form
    is corrected by a short walk.
    """
    budget = coin_balance - reserve
    fixed = estimate_fee(kind, params).total
    rate = value_fee_rate(kind, params.value_fee_bps)
    if budget - fixed <= 0:
        return 0
    amount = (budget - fixed) * 10_000 // (10_000 + rate)
    while amount > 0 and amount + estimate_fee(kind, params, amount).total > budget:
        amount -= 1
    while amount + 1 + estimate_fee(kind, params, amount + 1).total <= budget:
        amount += 1
    return max(amount, 0)


def fee_reserve(params: FeeParams) -> int:
    """What Max keeps back so later withdrawals or sends can still pay their fees (five 3-write transactions)."""
    return 5 * (params.base_fee + 3 * params.write_object_fee)


def adjust_value_fee(current_bps: int, epoch_fees: int) -> int:
    """The next epoch's value_fee_bps (§6.4, `types/src/system_state/mod.rs:1552-1594`).

    ⚠ `cur × 1250 / 10000` is 0 for cur ≤ 7, so a quiet chain goes 10 → 9 → 8 → 7 bps and stays there.
    """
    ratio = epoch_fees * 10_000 // TARGET_EPOCH_FEE_COLLECTION
    limit = current_bps * FEE_ADJUSTMENT_RATE_BPS // 10_000
    if ratio > 10_000:
        inc = min(current_bps * (ratio - 10_000) // 10_000, limit)
        return min(current_bps + inc, MAX_VALUE_FEE_BPS)
    dec = min(current_bps * (10_000 - ratio) // 10_000, limit)
    return max(current_bps - dec, MIN_VALUE_FEE_BPS)
