"""Model lifecycle (protocol.md §3): check order, error names, commitments, deadlines and slashes."""

from __future__ import annotations

import numpy as np
import pytest

from soma_desktop.network import types as t
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.helpers import (
    DEMO,
    DIM,
    activate_model,
    addr,
    base_fee_only,
    commit_spec,
    create_model,
    embedding,
    expect_fail,
    fund,
    snapshot,
)

EVE = addr("eve")


@pytest.fixture
def eve(chain):
    fund(chain, EVE, 100 * SOMA)
    return EVE


# --- CreateModel ------------------------------------------------------------------------------------

def test_create_model_check_order(chain):
    # 1 architecture before 2 min stake before 3 commission before 4 balance
    expect_fail("ModelArchitectureVersionMismatch", chain.create_model, DEMO, 0, 20_000, architecture_version=2)
    expect_fail("ModelMinStakeNotMet", chain.create_model, DEMO, SOMA - 1, 20_000)
    expect_fail("ModelCommissionRateTooHigh", chain.create_model, DEMO, SOMA, 10_001)
    expect_fail("InsufficientCoinBalance", chain.create_model, DEMO, 50_000 * SOMA, 100)


def test_create_model_gas_coin_must_cover_stake_fees_and_three_writes(chain):
    poor = addr("poor")
    needed = 1000 + SOMA + SOMA * 5 // 10_000 + 900
    fund(chain, poor, needed - 1)
    expect_fail("InsufficientCoinBalance", chain.create_model, poor, SOMA, 0)
    fund(chain, poor, 1000 + 1)          # a second, smaller coin does not help (stake comes from the gas coin)
    expect_fail("InsufficientCoinBalance", chain.create_model, poor, SOMA, 0)


def test_create_model_ids_and_state(chain):
    result = chain.create_model(DEMO, 2 * SOMA, 300)
    info = chain.get_model(result.model_id)
    assert info.state is t.ModelState.CREATED and info.owner == DEMO and info.create_epoch == 0
    assert info.stake == 2 * SOMA                       # pre-active pool: in the balance at once
    staked = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == info.pool.id]
    assert len(staked) == 1 and staked[0].activation_epoch == 1 and staked[0].principal == 2 * SOMA
    assert result.created == (staked[0].id,)
    # model_id = derive_id(d, 0), pool = derive_id(d, 1), StakedSoma = derive_id(d, 2)
    from soma_desktop.core.crypto import b58decode, derive_id
    digest = b58decode(result.digest)
    assert (derive_id(digest, 0), derive_id(digest, 1), derive_id(digest, 2)) == (
        result.model_id, info.pool.id, staked[0].id)


# --- CommitModel ------------------------------------------------------------------------------------

def test_commit_errors(chain, eve):
    model_id = create_model(chain)
    spec = commit_spec(model_id, embedding(1), bytes(32))
    expect_fail("ModelNotFound", chain.commit_model, DEMO, commit_spec(addr("nope"), embedding(1), bytes(32)))
    expect_fail("NotModelOwner", chain.commit_model, eve, spec)
    chain.commit_model(DEMO, spec)
    assert chain.get_model(model_id).state is t.ModelState.PENDING
    expect_fail("ModelInvalidState", chain.commit_model, DEMO, spec)       # Pending
    expect_fail("ModelInvalidState", chain.commit_model, eve, spec)        # Pending: state, not owner


def test_commit_in_create_epoch_plus_one_is_allowed(chain):
    model_id = create_model(chain)
    chain.advance_epoch()
    chain.commit_model(DEMO, commit_spec(model_id, embedding(1), bytes(32)))
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.PENDING and info.commit_epoch == 1


def test_commitments_are_the_shared_crypto(chain):
    from soma_desktop.core.crypto import embedding_commitment, key_commitment
    model_id = create_model(chain)
    emb, key = embedding(3), bytes(range(32))
    spec = commit_spec(model_id, emb, key)
    chain.commit_model(DEMO, spec)
    info = chain.get_model(model_id)
    assert info.embedding_commitment == embedding_commitment(emb.tolist())
    assert info.decryption_key_commitment == key_commitment(key)
    assert info.weights_commitment == spec.manifest.checksum and info.manifest == spec.manifest


# --- RevealModel ------------------------------------------------------------------------------------

def test_reveal_only_in_commit_epoch_plus_one(chain):
    model_id = create_model(chain)
    emb, key = embedding(1), bytes(32)
    chain.commit_model(DEMO, commit_spec(model_id, emb, key))
    expect_fail("ModelRevealEpochMismatch", chain.reveal_model, DEMO, model_id, key, emb.tolist())
    chain.advance_epoch()
    chain.reveal_model(DEMO, model_id, key, emb.tolist())
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.ACTIVE
    assert info.pool.activation_epoch == 1 and info.pool.exchange_rates[1] == (SOMA, SOMA)
    assert np.asarray(info.embedding, "<f4").tobytes() == emb.tobytes()


def test_reveal_too_late_is_a_mismatch_then_slashed(chain):
    model_id = create_model(chain)
    emb, key = embedding(1), bytes(32)
    chain.commit_model(DEMO, commit_spec(model_id, emb, key))
    chain.advance_epoch()
    chain.advance_epoch()          # boundary into C+2: missed reveal
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.INACTIVE
    assert info.stake == SOMA // 2                          # 50 % slash
    assert info.decryption_key == bytes(32) and info.embedding == ()
    assert info.deactivation_epoch == 2
    assert chain.supply_audit()["burned"] == SOMA // 2
    expect_fail("ModelInvalidState", chain.reveal_model, DEMO, model_id, key, emb.tolist())


def test_reveal_check_order_and_errors(chain, eve):
    model_id = create_model(chain)
    emb, key = embedding(1), bytes(32)
    chain.commit_model(DEMO, commit_spec(model_id, emb, key))
    chain.advance_epoch()
    expect_fail("ModelNotFound", chain.reveal_model, DEMO, addr("nope"), key, emb.tolist())
    expect_fail("NotModelOwner", chain.reveal_model, eve, model_id, key, emb.tolist())
    expect_fail("ModelDecryptionKeyCommitmentMismatch", chain.reveal_model, DEMO, model_id, b"\x01" * 32,
                emb.tolist())
    other = embedding(2)
    expect_fail("ModelEmbeddingCommitmentMismatch", chain.reveal_model, DEMO, model_id, key, other.tolist())
    # a single-bit change in one f32 value changes the hash
    bits = emb.copy().view(np.uint32)
    bits[0] ^= 1
    expect_fail("ModelEmbeddingCommitmentMismatch", chain.reveal_model, DEMO, model_id, key,
                bits.view(np.float32).tolist())
    chain.reveal_model(DEMO, model_id, key, emb.tolist())


def test_reveal_created_model_is_invalid_state(chain):
    model_id = create_model(chain)
    expect_fail("ModelInvalidState", chain.reveal_model, DEMO, model_id, bytes(32), embedding(1).tolist())


def test_reveal_wrong_dimension_is_refused_before_sending(chain):
    """D9: the chain accepts it and later panics; the sandbox refuses it and changes nothing."""
    model_id = create_model(chain)
    emb, key = embedding(1), bytes(32)
    chain.commit_model(DEMO, commit_spec(model_id, emb, key))
    chain.advance_epoch()
    before = snapshot(chain)
    with pytest.raises(InvalidInput) as info:
        chain.reveal_model(DEMO, model_id, key, [0.5] * (DIM + 1))
    assert "dimension" in str(info.value) and info.value.field == "embedding"
    assert snapshot(chain) == before


def test_active_update_flow_and_no_pending_update(chain):
    model_id, emb, key = activate_model(chain)
    expect_fail("ModelNoPendingUpdate", chain.reveal_model, DEMO, model_id, key, emb.tolist())
    new_emb, new_key = embedding(9), b"\x09" * 32
    chain.commit_model(DEMO, commit_spec(model_id, embedding(8), b"\x08" * 32))
    chain.commit_model(DEMO, commit_spec(model_id, new_emb, new_key))          # re-commit overwrites
    expect_fail("ModelRevealEpochMismatch", chain.reveal_model, DEMO, model_id, new_key, new_emb.tolist())
    chain.advance_epoch()
    expect_fail("ModelDecryptionKeyCommitmentMismatch", chain.reveal_model, DEMO, model_id, b"\x08" * 32,
                embedding(8).tolist())
    chain.reveal_model(DEMO, model_id, new_key, new_emb.tolist())
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.ACTIVE and info.pending_update is None
    assert info.decryption_key == new_key
    assert np.asarray(info.embedding, "<f4").tobytes() == new_emb.tobytes()


def test_stale_update_is_cancelled_without_slash(chain):
    model_id, _, _ = activate_model(chain)
    stake = chain.get_model(model_id).stake
    chain.commit_model(DEMO, commit_spec(model_id, embedding(5), b"\x05" * 32))
    assert chain.get_model(model_id).pending_update is not None
    chain.advance_epoch()
    chain.advance_epoch()
    info = chain.get_model(model_id)
    assert info.pending_update is None and info.state is t.ModelState.ACTIVE and info.stake == stake


# --- deadlines for Created models -------------------------------------------------------------------

def test_created_timeout_slashes_half_and_zombie_is_slashed_again(chain):
    model_id = create_model(chain, stake=4 * SOMA)
    chain.advance_epoch()                                   # into E+1: still fine
    assert chain.get_model(model_id).stake == 4 * SOMA
    chain.advance_epoch()                                   # into E+2: create_epoch + 1 < new_epoch
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.CREATED and info.stake == 2 * SOMA and info.deactivation_epoch == 2
    chain.advance_epoch()                                   # ⚠ copied quirk: slashed again, with a warning
    assert chain.get_model(model_id).stake == SOMA
    assert any(model_id in w for w in chain.warnings())
    assert chain.supply_audit()["burned"] == 3 * SOMA
    # D9: staking to the zombie fails cleanly instead of panicking
    expect_fail("ModelAlreadyInactive", chain.add_stake_to_model, DEMO, model_id, SOMA)


# --- commission and deactivation --------------------------------------------------------------------

def test_set_commission_rate_rules(chain, eve):
    model_id = create_model(chain)
    expect_fail("ModelCommissionRateTooHigh", chain.set_model_commission_rate, DEMO, addr("nope"), 10_001)
    expect_fail("ModelNotFound", chain.set_model_commission_rate, DEMO, addr("nope"), 5)
    expect_fail("ModelNotActive", chain.set_model_commission_rate, DEMO, model_id, 5)
    model_id, _, _ = activate_model(chain, seed=2)
    expect_fail("NotModelOwner", chain.set_model_commission_rate, eve, model_id, 5)
    chain.set_model_commission_rate(DEMO, model_id, 777)
    info = chain.get_model(model_id)
    assert info.commission_rate == 100 and info.next_commission_rate == 777
    chain.advance_epoch()
    assert chain.get_model(model_id).commission_rate == 777


def test_deactivate_rules(chain, eve):
    created = create_model(chain)
    expect_fail("ModelNotFound", chain.deactivate_model, DEMO, addr("nope"))
    expect_fail("ModelNotActive", chain.deactivate_model, DEMO, created)
    model_id, _, _ = activate_model(chain, seed=2)
    expect_fail("NotModelOwner", chain.deactivate_model, eve, model_id)
    stake = chain.get_model(model_id).stake
    chain.deactivate_model(DEMO, model_id)
    info = chain.get_model(model_id)
    assert info.state is t.ModelState.INACTIVE and info.stake == stake        # no slash
    assert info.deactivation_epoch == chain.system_state().epoch
    expect_fail("ModelAlreadyInactive", chain.add_stake_to_model, DEMO, model_id, SOMA)
    # stakers can still withdraw from an inactive pool, and get their principal at once
    staked = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == info.pool.id]
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, staked[0].id)
    assert chain.get_balance(DEMO) == before + SOMA - result.fee
    assert chain.get_model(model_id).stake == 0


# --- AddStakeToModel --------------------------------------------------------------------------------

def test_stake_to_model_pre_active_counts_at_once_active_from_next_epoch(chain):
    created = create_model(chain)
    chain.add_stake_to_model(DEMO, created, 3 * SOMA)
    assert chain.get_model(created).stake == 4 * SOMA
    model_id, _, _ = activate_model(chain, seed=2)
    result = chain.add_stake_to_model(DEMO, model_id, 5 * SOMA)
    assert result.fee == 1000 + 3 * 300 + 5 * SOMA * (chain.system_state().value_fee_bps // 2) // 10_000
    info = chain.get_model(model_id)
    assert info.stake == SOMA and info.pool.pending_stake == 5 * SOMA
    chain.advance_epoch()
    info = chain.get_model(model_id)
    assert info.stake == 6 * SOMA and info.pool.pending_stake == 0
    assert info.pool.exchange_rates[chain.system_state().epoch] == (6 * SOMA, 6 * SOMA)   # no rewards: 1:1


def test_stake_to_model_errors(chain):
    model_id = create_model(chain)
    expect_fail("InsufficientCoinBalance", chain.add_stake_to_model, DEMO, model_id, 50_000 * SOMA)
    expect_fail("InvalidArguments", chain.add_stake_to_model, DEMO, model_id, 0)
    expect_fail("ModelNotFound", chain.add_stake_to_model, DEMO, addr("nope"), SOMA)


def test_failed_model_tx_changes_nothing_but_base_fee(chain):
    model_id = create_model(chain)
    gas = chain.list_coins(DEMO)[0]
    before = snapshot(chain)
    expect_fail("ModelInvalidState", chain.reveal_model, DEMO, model_id,
                bytes(32), embedding(1).tolist())
    base_fee_only(before, snapshot(chain), gas.id)


# --- D9: withdrawals the chain would underflow ----------------------------------------------------------

def test_same_epoch_withdrawal_from_a_created_model_returns_the_principal(chain):
    model_id = create_model(chain, stake=2 * SOMA)
    receipt = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == chain.get_model(model_id).pool.id][0]
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, receipt.id)                  # the chain would underflow pending_stake
    assert chain.get_balance(DEMO) == before + 2 * SOMA - result.fee
    assert chain.get_model(model_id).stake == 0


def test_withdrawals_after_a_slash_are_capped_and_flagged(chain, eve):
    model_id = create_model(chain, stake=SOMA)
    chain.add_stake_to_model(eve, model_id, 3 * SOMA)                 # pre-active: balance 4 SOMA at once
    chain.commit_model(DEMO, commit_spec(model_id, embedding(1), bytes(32)))
    chain.advance_epoch()
    chain.advance_epoch()                                             # missed reveal: 4 → 2 SOMA
    assert chain.get_model(model_id).stake == 2 * SOMA
    pool_id = chain.get_model(model_id).pool.id
    eve_receipt = [s for s in chain.list_staked_soma(eve) if s.pool_id == pool_id][0]
    before = chain.get_balance(eve)
    result = chain.withdraw_stake(eve, eve_receipt.id)               # wants 3 SOMA, the pool holds 2
    assert chain.get_balance(eve) == before + 2 * SOMA - result.fee
    assert "capped" in (chain.get_transaction(result.digest)["note"] or "")
    owner_receipt = [s for s in chain.list_staked_soma(DEMO) if s.pool_id == pool_id][0]
    before = chain.get_balance(DEMO)
    result = chain.withdraw_stake(DEMO, owner_receipt.id)
    assert chain.get_balance(DEMO) == before - result.fee            # nothing left to pay
    assert chain.get_model(model_id).stake == 0
