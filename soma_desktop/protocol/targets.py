"""Target economics and timing (protocol.md §5.2, §5.5, §5.6, §5.7; `authority/src/execution/submission.rs`)."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.core.amounts import bps_mul
from soma_desktop.protocol.params import (
    BPS,
    EMISSION_PER_EPOCH,
    SUBMISSION_BOND_PER_BYTE,
    TARGET_CLAIMER_INCENTIVE_BPS,
    TARGET_HITS_PER_EPOCH,
    TARGET_INITIAL_TARGETS_PER_EPOCH,
    TARGET_MODEL_SHARE_BPS,
    TARGET_REWARD_ALLOCATION_BPS,
    TARGET_SUBMITTER_SHARE_BPS,
)


@dataclass(frozen=True)
class ClaimSplit:
    """Who receives what when a target is claimed (no report quorum)."""

    reward: int
    submitter: int
    model_owner: int
    claimer: int
    to_emission_pool: int
    bond_returned: int


def claim_split(reward: int, *, filled: bool, bond: int = 0) -> ClaimSplit:
    """Filled: 4975/4975/50 bps, the rounding dust to the submitter, the bond back as its own coin
    (submission.rs:455-514). Open (expired): 50 bps to the claimer, the rest to the emission pool (:565-590)."""
    claimer = bps_mul(reward, TARGET_CLAIMER_INCENTIVE_BPS)
    if not filled:
        return ClaimSplit(reward, 0, 0, claimer, reward - claimer, 0)
    sub = bps_mul(reward, TARGET_SUBMITTER_SHARE_BPS)
    mod = bps_mul(reward, TARGET_MODEL_SHARE_BPS)
    return ClaimSplit(reward, sub + (reward - sub - mod - claimer), mod, claimer, 0, bond)


FILLED_CLAIM_DELAY = 2      # epochs after the fill: the audit window (fill_epoch + 1) must close first
OPEN_CLAIM_DELAY = 1        # an unfilled target expires at the end of its generation epoch


def claimable_from(*, filled: bool, generation_epoch: int, fill_epoch: int | None = None) -> int:
    """First epoch a claim succeeds: fill_epoch + 2 (after the audit window) or generation_epoch + 1
    (`AuditWindowOpen` / `TargetNotFilled` before, `submission.rs:410-411, 560-561`)."""
    if filled:
        assert fill_epoch is not None
        return fill_epoch + FILLED_CLAIM_DELAY
    return generation_epoch + OPEN_CLAIM_DELAY


def is_expired(generation_epoch: int, epoch: int) -> bool:
    """An Open target accepts submissions only in its generation epoch (§5.6 check 2)."""
    return epoch > generation_epoch


def virtual_status(stored: str, generation_epoch: int, fill_epoch: int | None, epoch: int) -> str:
    """The RPC's status for a stored `open`/`filled` target: open | expired | filled | claimable (§5.5)."""
    if stored == "open":
        return "expired" if is_expired(generation_epoch, epoch) else "open"
    assert fill_epoch is not None
    return "claimable" if epoch >= claimable_from(filled=True, generation_epoch=generation_epoch,
                                                  fill_epoch=fill_epoch) else "filled"


def submission_bond(size: int) -> int:
    """Bond for `size` bytes of data: 65 shannons per byte (1 MiB → 68,157,440)."""
    return size * SUBMISSION_BOND_PER_BYTE


def target_budget(emission_per_epoch: int = EMISSION_PER_EPOCH) -> int:
    """Targets may pre-pay at most this much per epoch (80 % of emission)."""
    return emission_per_epoch * TARGET_REWARD_ALLOCATION_BPS // BPS


def reward_per_target(emission_per_epoch: int = EMISSION_PER_EPOCH) -> int:
    """V3+ rule (`mod.rs:1424-1441`): 12,685,185 shannons with the default emission."""
    return target_budget(emission_per_epoch) // TARGET_HITS_PER_EPOCH


def genesis_reward_per_target(emission_per_epoch: int = EMISSION_PER_EPOCH) -> int:
    """Genesis rule: the budget spread over twice the initial batch (5.48 SOMA by default)."""
    return target_budget(emission_per_epoch) // (2 * TARGET_INITIAL_TARGETS_PER_EPOCH)


def can_fund(emission_balance: int, targets_generated: int, reward: int,
             emission_per_epoch: int = EMISSION_PER_EPOCH) -> bool:
    """A new target is created only if the pool holds its reward and the epoch's budget allows it."""
    return emission_balance >= reward and (targets_generated + 1) * reward <= target_budget(emission_per_epoch)
