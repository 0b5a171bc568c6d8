"""What the publish wizard shows before each signature: the stake minimum, the commit deadline of a new model and
the fee estimate of CreateModel, CommitModel and RevealModel (protocol/fees.py, protocol/reveal.py).

The wizard pages only format what these return.
"""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.types import SystemState
from soma_desktop.protocol.fees import ChainTx, Fee, FeeParams, estimate_fee
from soma_desktop.protocol.reveal import last_commit_epoch


def stake_minimum(state: SystemState | None) -> int:
    """The smallest stake CreateModel accepts (0 before the first poll: the chain will say)."""
    return state.model_min_stake if state is not None else 0


@dataclass(frozen=True)
class CreatePreview:
    """CreateModel with `stake`: its fee estimate and the epoch the weights must be committed by."""

    fee: Fee
    commit_by: int


def create_preview(state: SystemState, stake: int) -> CreatePreview:
    return CreatePreview(estimate_fee(ChainTx.CREATE_MODEL, FeeParams.from_state(state), stake),
                         last_commit_epoch(state.epoch))


def commit_fee(state: SystemState | None) -> int | None:
    return estimate_fee(ChainTx.COMMIT_MODEL, FeeParams.from_state(state)).total if state is not None else None


def reveal_fee(state: SystemState | None) -> int | None:
    return estimate_fee(ChainTx.REVEAL_MODEL, FeeParams.from_state(state)).total if state is not None else None
