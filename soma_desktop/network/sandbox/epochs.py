"""The epoch boundary, in the exact order of `SystemStateV1::advance_epoch` (protocol.md §2.1).

Emission (D3): every boundary — manual or timed — is treated as a full epoch, so `min(emission_per_epoch,
balance)` is released each time, as on a live network. (A real localnet's admin-forced early epoch would
release nothing.)
"""

from __future__ import annotations

from soma_desktop.network.sandbox import models, targets, validators
from soma_desktop.network.sandbox.ledger import TxContext
from soma_desktop.network.sandbox.params import EMISSION_PER_EPOCH, TARGET_INITIAL_TARGETS_PER_EPOCH
from soma_desktop.protocol.fees import adjust_value_fee
from soma_desktop.protocol.staking import validator_allocation as validator_share
from soma_desktop.protocol.targets import reward_per_target


def advance_epoch(ctx: TxContext, new_start_ms: int) -> list[str]:
    """ChangeEpoch into `system.epoch + 1`. Returns the ids of the new targets."""
    system = ctx.system
    fees = system.fees_epoch
    new_epoch = system.epoch + 1                                   # 1. (always epoch + 1 here)
    system.epoch_start_ms = new_start_ms                           # 3. (2: no safe mode, D5)
    emission = min(EMISSION_PER_EPOCH, system.emission_balance)    # 6. full epoch (D3)
    system.emission_balance -= emission
    total_rewards = fees + emission
    system.value_fee_bps = adjust_value_fee(system.value_fee_bps, fees)   # 7.
    system.epoch = new_epoch                                       # 8.
    validator_allocation = validator_share(total_rewards)   # 9.
    system.emission_balance += total_rewards - validator_allocation
    targets.adjust_difficulty(system)                              # 11. (10: protocol version fixed at 5)
    system.targets_generated_this_epoch = 0
    system.hits_this_epoch = 0
    system.reward_per_target = reward_per_target()
    undistributed = validators.distribute_rewards(ctx, validator_allocation, new_epoch)   # 12.
    models.advance_epoch_models(ctx.store, system, new_epoch)      # 13.
    system.emission_balance += undistributed                       # 14.
    system.fees_epoch = 0
    ctx.touch_system()
    return targets.spawn_initial_batch(ctx, TARGET_INITIAL_TARGETS_PER_EPOCH)
