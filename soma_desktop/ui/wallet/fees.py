"""Fee previews from the chain's formula (protocol.md §6.3), shown before every signature.

`total = base_fee + write_object_fee × objects written + value fee`. The object counts below are the
writes each transaction makes on SOMA (gas coin, created coins/receipts, the SystemState object). The
chain charges the exact figure; we show it as an estimate because the value-fee rate may change at
the next epoch boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.core.amounts import bps_mul
from soma_desktop.network.types import SystemState

# Objects written by each kind: gas coin + what it creates or mutates.
WRITES = {
    "transfer": 2,        # gas coin, new recipient coin
    "stake": 3,           # gas coin, StakedSoma receipt, SystemState (pool)
    "stake_model": 3,
    "withdraw_stake": 3,  # gas coin, payout coin, SystemState (receipt deleted, not written)
}
HALF_RATE_KINDS = {"stake", "stake_model", "withdraw_stake"}


@dataclass(frozen=True)
class FeeParams:
    base_fee: int = 1_000
    write_object_fee: int = 300
    value_fee_bps: int = 10

    @classmethod
    def from_state(cls, state: SystemState | None) -> "FeeParams":
        if state is None:
            return cls()
        return cls(state.base_fee, state.write_object_fee, state.value_fee_bps)


def value_fee(kind: str, amount: int, params: FeeParams) -> int:
    bps = params.value_fee_bps // 2 if kind in HALF_RATE_KINDS else params.value_fee_bps
    return bps_mul(amount, bps)


def estimate_fee(kind: str, amount: int, params: FeeParams) -> int:
    """Shannons the transaction will cost if it succeeds."""
    return params.base_fee + params.write_object_fee * WRITES[kind] + value_fee(kind, amount, params)


def max_amount(kind: str, coin_balance: int, params: FeeParams, reserve: int = 0) -> int:
    """The largest amount one coin can carry with its own fee, keeping `reserve` shannons back.

    The fee grows with the amount (value fee), so solve amount + fee(amount) <= balance − reserve and
    correct the rounding with a short walk.
    """
    room = coin_balance - reserve - params.base_fee - params.write_object_fee * WRITES[kind]
    if room <= 0:
        return 0
    bps = params.value_fee_bps // 2 if kind in HALF_RATE_KINDS else params.value_fee_bps
    amount = room * 10_000 // (10_000 + bps)
    while amount > 0 and amount + estimate_fee(kind, amount, params) > coin_balance - reserve:
        amount -= 1
    while amount + 1 + estimate_fee(kind, amount + 1, params) <= coin_balance - reserve:
        amount += 1
    return max(amount, 0)


def fee_reserve(params: FeeParams) -> int:
    """What Max keeps back so a later withdraw or send can still pay its fee (a few transactions)."""
    return 5 * (params.base_fee + 3 * params.write_object_fee)
