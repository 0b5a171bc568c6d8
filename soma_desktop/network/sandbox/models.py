"""Model transactions and the models part of an epoch boundary (protocol.md §3).

Checks run in the chain's order and fail with the chain's error names (§3.2). Commitments are compared
byte-for-byte using the same `core.crypto` code the real-network path uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soma_desktop.core.crypto import embedding_commitment, key_commitment
from soma_desktop.network.sandbox import staking
from soma_desktop.network.sandbox.ledger import TxContext, fail
from soma_desktop.network.sandbox.params import (
    MAX_COMMISSION_BPS,
    MODEL_ARCHITECTURE_VERSION,
    MODEL_MIN_STAKE,
    MODEL_REVEAL_SLASH_RATE_BPS,
)
from soma_desktop.network.sandbox.records import Model, Pool, System, f32_hex
from soma_desktop.network.sandbox.store import StakedRow, Store
from soma_desktop.protocol import limits, reveal
from soma_desktop.protocol.staking import stake_activation_epoch

CREATED, PENDING, ACTIVE, INACTIVE = "created", "pending", "active", "inactive"


def _load(ctx: TxContext, model_id: str) -> Model:
    model = ctx.store.model(model_id)
    if model is None:
        fail("ModelNotFound", f"no model {model_id}")
    return model


def _pool(store: Store, model: Model) -> Pool:
    pool = store.pool(model.pool_id)
    assert pool is not None, "every model has a pool"
    return pool


def _save(ctx: TxContext, model: Model, pool: Pool | None = None) -> None:
    ctx.store.put_model(model)
    if pool is not None:
        ctx.store.put_pool(pool)
    ctx.touch_system()


def create_model(ctx: TxContext, stake_amount: int, commission_rate: int, architecture_version: int) -> str:
    if architecture_version != MODEL_ARCHITECTURE_VERSION:
        fail("ModelArchitectureVersionMismatch",
             f"architecture {architecture_version}, chain expects {MODEL_ARCHITECTURE_VERSION}")
    if not limits.model_stake_ok(stake_amount):
        fail("ModelMinStakeNotMet", f"stake {stake_amount} < minimum {MODEL_MIN_STAKE}")
    if not limits.commission_ok(commission_rate):
        fail("ModelCommissionRateTooHigh", f"{commission_rate} bps > {MAX_COMMISSION_BPS}")
    gas = ctx.gas_coin()
    ctx.charge_value_fee(stake_amount)
    ctx.precheck(gas, stake_amount)                          # stake + value fee + 3 writes (model.rs:109-116)
    ctx.debit(gas, stake_amount)
    model_id, pool_id, staked_id = ctx.next_id(), ctx.next_id(), ctx.next_id()
    epoch = ctx.system.epoch
    pool = Pool(id=pool_id)
    staking.request_add_stake(pool, stake_amount)           # pre-active pool: into the balance at once
    model = Model(id=model_id, owner=ctx.sender or "", state=CREATED, architecture_version=architecture_version,
                  pool_id=pool_id, commission_rate=commission_rate, next_commission_rate=commission_rate,
                  create_epoch=epoch)
    _save(ctx, model, pool)
    ctx.store.put_staked(StakedRow(staked_id, ctx.sender or "", pool_id, stake_activation_epoch(epoch),
                                  stake_amount))
    ctx.note_created(staked_id)
    return model_id


def commit_model(ctx: TxContext, model_id: str, manifest: dict[str, Any], weights_commitment: bytes,
                 emb_commitment: bytes, dk_commitment: bytes) -> None:
    model = _load(ctx, model_id)
    if model.state in (CREATED, ACTIVE) and model.owner != ctx.sender:
        fail("NotModelOwner", "only the model's owner can commit")
    if model.state not in (CREATED, ACTIVE):
        fail("ModelInvalidState", f"cannot commit a {model.state} model")
    commit: dict[str, Any] = {"manifest": manifest, "weights_commitment": weights_commitment.hex(),
              "embedding_commitment": emb_commitment.hex(), "decryption_key_commitment": dk_commitment.hex(),
              "commit_epoch": ctx.system.epoch}
    if model.state == CREATED:
        model.state = PENDING
        model.manifest = manifest
        model.weights_commitment = commit["weights_commitment"]
        model.embedding_commitment = commit["embedding_commitment"]
        model.decryption_key_commitment = commit["decryption_key_commitment"]
        model.commit_epoch = ctx.system.epoch
    else:
        model.pending_update = commit                          # a re-commit overwrites (§3.2)
    _save(ctx, model)


def _check_reveal(epoch: int, commit_epoch: int, dk_commitment_hex: str, emb_commitment_hex: str,
                  key: bytes, embedding: Sequence[float]) -> None:
    if not reveal.reveal_open(commit_epoch, epoch):
        fail("ModelRevealEpochMismatch", f"reveal only in epoch {reveal.reveal_epoch(commit_epoch)} (now {epoch})")
    if key_commitment(key).hex() != dk_commitment_hex:
        fail("ModelDecryptionKeyCommitmentMismatch", "the key does not match the committed hash")
    if embedding_commitment(embedding).hex() != emb_commitment_hex:
        fail("ModelEmbeddingCommitmentMismatch", "the embedding does not match the committed hash")


def reveal_model(ctx: TxContext, model_id: str, key: bytes, embedding: Sequence[float]) -> None:
    """The state is matched before the owner (Erratum 5, `types/src/system_state/mod.rs:735-826`)."""
    model = _load(ctx, model_id)
    if model.state not in (PENDING, ACTIVE):
        fail("ModelInvalidState", f"cannot reveal a {model.state} model")
    if model.owner != ctx.sender:
        fail("NotModelOwner", "only the model's owner can reveal")
    epoch = ctx.system.epoch
    if model.state == PENDING:
        assert model.commit_epoch is not None and model.decryption_key_commitment and model.embedding_commitment
        _check_reveal(epoch, model.commit_epoch, model.decryption_key_commitment, model.embedding_commitment,
                      key, embedding)
        pool = _pool(ctx.store, model)
        pool.activation_epoch = epoch
        pool.exchange_rates[str(epoch)] = [pool.soma_balance, pool.pool_token_balance]
        model.state = ACTIVE
        model.decryption_key = key.hex()
        model.embedding = f32_hex(embedding)
        _save(ctx, model, pool)
        return
    if model.state == ACTIVE:
        update = model.pending_update
        if update is None:
            fail("ModelNoPendingUpdate", "no update was committed")
        _check_reveal(epoch, update["commit_epoch"], update["decryption_key_commitment"],
                      update["embedding_commitment"], key, embedding)
        model.manifest = update["manifest"]
        model.weights_commitment = update["weights_commitment"]
        model.embedding_commitment = update["embedding_commitment"]
        model.decryption_key_commitment = update["decryption_key_commitment"]
        model.commit_epoch = update["commit_epoch"]
        model.decryption_key = key.hex()
        model.embedding = f32_hex(embedding)
        model.pending_update = None
        _save(ctx, model)


def add_stake_to_model(ctx: TxContext, model_id: str, amount: int) -> str:
    """Pre-checks 2 writes but charges 3 (Erratum 5, `authority/src/execution/model.rs:223-229`): a gas coin
    between the two fails later with InsufficientGas."""
    gas = ctx.gas_coin()
    ctx.charge_value_fee(amount)
    ctx.precheck(gas, amount)
    if amount == 0:
        fail("InvalidArguments", "stake amount must be positive")
    model = _load(ctx, model_id)
    pool = _pool(ctx.store, model)
    if model.state == INACTIVE or staking.is_inactive(pool):
        # D9: the chain panics for a timed-out (zombie) Created model; the sandbox reports it as inactive.
        fail("ModelAlreadyInactive", "the model's pool no longer accepts stake")
    ctx.debit(gas, amount)
    staking.request_add_stake(pool, amount)
    staked_id = ctx.next_id()
    ctx.store.put_staked(StakedRow(staked_id, ctx.sender or "", pool.id, stake_activation_epoch(ctx.system.epoch),
                                  amount))
    ctx.note_created(staked_id)
    _save(ctx, model, pool)
    return staked_id


def set_model_commission_rate(ctx: TxContext, model_id: str, new_rate: int) -> None:
    if not limits.commission_ok(new_rate):
        fail("ModelCommissionRateTooHigh", f"{new_rate} bps > {MAX_COMMISSION_BPS}")
    model = _load(ctx, model_id)
    if model.state != ACTIVE:
        fail("ModelNotActive", f"the model is {model.state}")
    if model.owner != ctx.sender:
        fail("NotModelOwner", "only the model's owner can change its commission")
    model.next_commission_rate = new_rate
    _save(ctx, model)


def deactivate_model(ctx: TxContext, model_id: str) -> None:
    model = _load(ctx, model_id)
    if model.state != ACTIVE:
        fail("ModelNotActive", f"the model is {model.state}")
    if model.owner != ctx.sender:
        fail("NotModelOwner", "only the model's owner can deactivate it")
    pool = _pool(ctx.store, model)
    pool.deactivation_epoch = ctx.system.epoch
    # Withdrawals queued this epoch stay pending: inactive pools are skipped at boundaries and settle them at
    # the pool's next withdrawal (Erratum 6, `types/src/system_state/mod.rs:942-992`).
    model.state = INACTIVE
    model.pending_update = None
    _save(ctx, model, pool)


def advance_epoch_models(store: Store, system: System, new_epoch: int) -> None:
    """§3.5 steps 1–6. Step 1 (report tally) has no reports to count in the sandbox (D4)."""
    models = store.models()
    for model in models:                                        # 2. Created timeouts
        if model.state == CREATED and reveal.created_timed_out(model.create_epoch, new_epoch):
            pool = _pool(store, model)
            if pool.deactivation_epoch is not None:
                system.warnings.append(f"epoch {new_epoch}: model {model.id} was never committed and is "
                                       "slashed again (chain quirk, protocol.md §3.8)")
            pool.deactivation_epoch = new_epoch         # reset at every boundary (Erratum 6, mod.rs:1111-1154)
            system.burned += staking.slash(pool, MODEL_REVEAL_SLASH_RATE_BPS)
            store.put_pool(pool)
    for model in models:                                        # 3. missed reveals
        if model.state == PENDING and model.commit_epoch is not None and reveal.reveal_timed_out(model.commit_epoch,
                                                                                                 new_epoch):
            pool = _pool(store, model)
            system.burned += staking.slash(pool, MODEL_REVEAL_SLASH_RATE_BPS)
            pool.deactivation_epoch = new_epoch
            model.state = INACTIVE
            model.decryption_key = bytes(32).hex()
            model.embedding = ""
            store.put_pool(pool)
            store.put_model(model)
    for model in models:                                        # 4. stale pending updates, 5. commission
        if model.state != ACTIVE:
            continue
        if model.pending_update is not None and reveal.reveal_timed_out(model.pending_update["commit_epoch"],
                                                                         new_epoch):
            model.pending_update = None
        model.commission_rate = model.next_commission_rate
        store.put_model(model)
    for model in models:                                        # 6. pools
        if model.state == INACTIVE:
            continue
        pool = _pool(store, model)
        staking.process_boundary(pool, new_epoch, write_rate=model.state == ACTIVE)
        store.put_pool(pool)
