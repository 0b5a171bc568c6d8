"""What a registry model's state means for its owner and for stakers, from the chain rules (protocol/reveal.py,
protocol/fees.py): the state chip, whether stake is accepted, and what a stake or an owner action costs.

The Models panel's detail pane only formats what these return (ux.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.types import ModelInfo, ModelState, SystemState
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee
from soma_desktop.protocol.reveal import last_commit_epoch, reveal_epoch


def state_chip(m: ModelInfo, epoch: int) -> tuple[str, str]:
    """(chip, explanation) per ux.md §6."""
    if m.state is ModelState.CREATED:
        last = last_commit_epoch(m.create_epoch)
        return (f"Commit by end of epoch {last}",
                f"The model exists with its stake. Weights must be committed before epoch {last + 1} starts or "
                f"50 % of the stake is slashed.")
    if m.state is ModelState.PENDING:
        opens = reveal_epoch(m.commit_epoch or 0)
        chip = "Reveal now" if epoch == opens else f"Reveal in epoch {opens}"
        return (chip, f"Committed in epoch {m.commit_epoch}. The reveal is possible only during epoch {opens}; "
                      f"later it is impossible and costs 50 % of the stake.")
    if m.state is ModelState.ACTIVE:
        if m.pending_update is not None:
            opens = reveal_epoch(m.pending_update.commit_epoch)
            return (f"Update: reveal in epoch {opens}",
                    "New weights are committed. If the owner misses the reveal window the update is dropped "
                    "(no penalty) and the current weights stay.")
        return ("Active", "Routed targets by stake-weighted nearest-neighbour search. Stake to a model raises its "
                          "selection weight (√stake); model pools earn no rewards.")
    return ("Inactive", f"Deactivated{'' if m.deactivation_epoch is None else f' in epoch {m.deactivation_epoch}'} "
                        f"(by its owner, a missed reveal or a report). It is no longer routed targets; stakers can "
                        f"still withdraw.")


def stake_refusal(m: ModelInfo, epoch: int) -> str:
    """Why the chain refuses stake to `m` in `epoch`, or "" when it accepts it."""
    if m.state is ModelState.INACTIVE:
        return "An inactive model no longer accepts stake."
    if m.state is ModelState.CREATED and epoch > last_commit_epoch(m.create_epoch):
        return ("This model missed its commit window and is being slashed each epoch; the chain cannot accept "
                "stake for it (protocol quirk), so staking is disabled.")
    return ""


@dataclass(frozen=True)
class StakePreview:
    """AddStakeToModel before signing: the fee estimate and from when the stake counts for routing."""

    fee: int
    routing_from: int | None      # None: counts at once (the model is not yet active)


def stake_preview(m: ModelInfo, state: SystemState, amount: int) -> StakePreview:
    fee = estimate_fee(ChainTx.ADD_STAKE_TO_MODEL, FeeParams.from_state(state), amount).total
    return StakePreview(fee, None if m.state is not ModelState.ACTIVE else state.epoch + 1)


def owner_action_fee(state: SystemState | None) -> int:
    """The fee estimate of a commission change or a deactivation (0 before the first poll)."""
    return estimate_fee(ChainTx.SET_MODEL_COMMISSION_RATE, FeeParams.from_state(state)).total if state else 0
