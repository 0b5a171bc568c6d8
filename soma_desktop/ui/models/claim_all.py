"""Claim every claimable target in one go: list them all, show what the claimer gets and what the fees cost,
then sign the claims one by one on the loop thread and report how many went through."""

from __future__ import annotations

from dataclasses import dataclass, field

from soma_desktop.network.base import list_all_targets
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import Target, TargetStatus
from soma_desktop.protocol.fees import FeeParams, claim_fee
from soma_desktop.protocol.targets import ClaimSplit, claim_split


@dataclass
class ClaimAllOutcome:
    claimed: list[str] = field(default_factory=list)
    fees: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)     # (target id, plain reason)


def _split(t: Target) -> ClaimSplit:
    return claim_split(t.reward_pool, filled=t.fill_epoch is not None, bond=t.bond_amount)


def claimer_share(t: Target) -> int:
    return _split(t).claimer


def plan_text(targets: list[Target], state, amount) -> str:
    """The review summary: how many, what you get, what the fees cost (HTML)."""
    share = sum(claimer_share(t) for t in targets)
    params = FeeParams.from_state(state)
    fees = sum(claim_fee(params, _split(t)).total for t in targets)
    return (f"Claim <b>{len(targets)}</b> target(s). Each claim is its own transaction: it pays out the reward "
            f"(submitter, model owner, and you as the claimer) and deletes the target.<br><br>"
            f"You receive about {amount(share)} in claimer fees; the network fees come to about "
            f"{amount(fees)} in all.<br><br>Claims already sent stay done if a later one fails.")


async def claim_all(network, signer) -> ClaimAllOutcome:
    """Claim every claimable target now; keeps going past individual failures (each says why)."""
    outcome = ClaimAllOutcome()
    for target in await list_all_targets(network, TargetStatus.CLAIMABLE):
        try:
            tx = await network.claim_rewards(signer, target.id)
        except Exception as exc:  # noqa: BLE001 - one target's failure must not hide the others' results
            outcome.failures.append((target.id, describe_error(exc)))
            continue
        outcome.claimed.append(target.id)
        outcome.fees += tx.fee
    return outcome
