"""Fee previews for the publish and registry actions (protocol.md §6.3), from the live SystemState.

`total = base_fee + write_object_fee × objects written + value_fee`. Object counts are the chain's usual ones
(gas coin + SystemState + what the tx creates); the preview is labelled an estimate because the exact count
depends on coin selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.core.amounts import bps_mul
from soma_desktop.network.types import SystemState

# Objects written: gas coin, SystemState, plus what the tx creates (StakedSoma / payout coins).
_WRITES = {"create": 3, "commit": 2, "reveal": 2, "deactivate": 2, "commission": 2, "stake": 3, "claim": 5}
_HALF_VALUE_FEE = {"create", "stake", "claim"}   # staking-like txs pay value_fee_bps / 2


@dataclass(frozen=True)
class FeeEstimate:
    base: int
    writes: int
    value: int

    @property
    def total(self) -> int:
        return self.base + self.writes + self.value


def estimate_fee(state: SystemState, action: str, amount: int = 0) -> FeeEstimate:
    """Estimated fee in shannons for `action` (see _WRITES) moving `amount` shannons."""
    value = bps_mul(amount, state.value_fee_bps // 2) if action in _HALF_VALUE_FEE else 0
    return FeeEstimate(state.base_fee, state.write_object_fee * _WRITES[action], value)


@dataclass(frozen=True)
class ClaimSplit:
    """Who receives what when a target is claimed (protocol.md §5.7)."""

    reward: int
    submitter: int
    model_owner: int
    claimer: int
    to_emission_pool: int
    bond_returned: int


def claim_split(reward: int, *, filled: bool, bond: int = 0) -> ClaimSplit:
    claimer = bps_mul(reward, 50)
    if not filled:
        return ClaimSplit(reward, 0, 0, claimer, reward - claimer, 0)
    sub, mod = bps_mul(reward, 4975), bps_mul(reward, 4975)
    return ClaimSplit(reward, sub + (reward - sub - mod - claimer), mod, claimer, 0, bond)
