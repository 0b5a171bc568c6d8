"""Targets as the app shows them: when one can be claimed, what a claim pays and costs, and claim-all totals.

The chain rules are in protocol/targets.py and protocol/fees.py; this module applies them to the targets
the network returned, so the Models panel only formats the integers it gets (ux.md §6, protocol.md §5.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from soma_desktop.network.types import SystemState, Target, TargetStatus
from soma_desktop.protocol.fees import FeeParams, claim_fee
from soma_desktop.protocol.targets import ClaimSplit, claim_split, claimable_from


def claimable(t: Target, epoch: int) -> bool:
    """Whether ClaimRewards succeeds for `t` in `epoch` (expired unfilled, or filled past the audit window)."""
    if t.status in (TargetStatus.CLAIMABLE, TargetStatus.EXPIRED):
        return True
    if t.status is TargetStatus.OPEN:
        return epoch >= claimable_from(filled=False, generation_epoch=t.generation_epoch)
    return (t.status is TargetStatus.FILLED and t.fill_epoch is not None
            and epoch >= claimable_from(filled=True, generation_epoch=t.generation_epoch, fill_epoch=t.fill_epoch))


def claim_state(t: Target, epoch: int) -> str:
    """Plain words for when and how the target can be claimed (ux.md §6)."""
    if claimable(t, epoch):
        return "Claimable now" + (" (0.5 % finder fee)" if t.fill_epoch is None else "")
    if t.status is TargetStatus.FILLED and t.fill_epoch is not None:
        opens = claimable_from(filled=True, generation_epoch=t.generation_epoch, fill_epoch=t.fill_epoch)
        return f"Claim from epoch {opens} (audit window)"
    opens = claimable_from(filled=False, generation_epoch=t.generation_epoch)
    return f"Open in epoch {t.generation_epoch}; claimable from epoch {opens} if unfilled"


def split_of(t: Target) -> ClaimSplit:
    return claim_split(t.reward_pool, filled=t.fill_epoch is not None, bond=t.bond_amount)


@dataclass(frozen=True)
class ClaimPreview:
    """One claim before signing: who gets what (exact shannons) and the fee estimate."""

    filled: bool
    split: ClaimSplit
    fee: int


def claim_preview(t: Target, state: SystemState) -> ClaimPreview:
    split = split_of(t)
    return ClaimPreview(t.fill_epoch is not None, split, claim_fee(FeeParams.from_state(state), split).total)


@dataclass(frozen=True)
class ClaimPlan:
    """Every claimable target and what claiming them all gives the claimer and costs in fees."""

    targets: tuple[Target, ...]
    claimer_total: int
    fees_total: int

    @classmethod
    def of(cls, targets: Sequence[Target], state: SystemState) -> ClaimPlan:
        params = FeeParams.from_state(state)
        splits = [split_of(t) for t in targets]
        return cls(tuple(targets), sum(s.claimer for s in splits), sum(claim_fee(params, s).total for s in splits))


@dataclass
class ClaimAllOutcome:
    claimed: list[str] = field(default_factory=list)
    fees: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)     # (target id, plain reason)
