"""Model status and publish previews on the real sandbox: the fee a preview shows is the fee the chain takes,
the commit deadline and the stake refusal follow the chain's windows."""

from __future__ import annotations

from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS
from soma_desktop.network.types import ModelState
from soma_desktop.services.model_status import owner_action_fee, stake_preview, stake_refusal, state_chip
from soma_desktop.services.publish_preview import create_preview, stake_minimum

STAKE = 3 * 2**32 + 5         # above 2^32 shannons


class Signer:
    address = SANDBOX_DEMO_ADDRESS

    def secret_key(self) -> bytes:
        return b"\x07" * 32


def test_create_preview_is_what_create_model_costs_and_the_commit_window_closes(loop, counted):
    state = loop.run_until_complete(counted.get_system_state())
    assert STAKE >= stake_minimum(state) > 0
    preview = create_preview(state, STAKE)
    tx = loop.run_until_complete(counted.create_model(Signer(), STAKE, 250))
    assert tx.fee == preview.fee.total and preview.commit_by == state.epoch + 1
    model = loop.run_until_complete(counted.get_model(tx.model_id))
    assert model.state is ModelState.CREATED and state_chip(model, state.epoch)[0] == (
        f"Commit by end of epoch {preview.commit_by}")
    assert stake_refusal(model, preview.commit_by) == ""
    assert "missed its commit window" in stake_refusal(model, preview.commit_by + 1)


def test_stake_preview_is_what_add_stake_costs_and_counts_from_the_next_epoch(loop, counted):
    state = loop.run_until_complete(counted.get_system_state())
    model = next(m for m in loop.run_until_complete(counted.list_models()) if m.state is ModelState.ACTIVE)
    assert state_chip(model, state.epoch)[0] == "Active" and stake_refusal(model, state.epoch) == ""
    preview = stake_preview(model, state, STAKE)
    tx = loop.run_until_complete(counted.add_stake_to_model(Signer(), model.id, STAKE))
    assert tx.fee == preview.fee and preview.routing_from == state.epoch + 1
    assert owner_action_fee(state) > 0 and owner_action_fee(None) == 0
