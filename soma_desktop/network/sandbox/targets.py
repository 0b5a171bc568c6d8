"""Targets: generation and funding, stake-weighted KNN, difficulty, SubmitData and ClaimRewards (§5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import arrgen
import numpy as np

from soma_desktop.core.crypto import derive_id, make_target_seed
from soma_desktop.network.sandbox.ledger import TxContext, fail
from soma_desktop.network.sandbox.params import (
    EMBEDDING_DISTANCE_STD,
    KNN_EPSILON,
    MAX_SUBMISSION_DATA_SIZE,
    MIN_Z_STEP,
    TARGET_DIFFICULTY_ADJUSTMENT_RATE_BPS,
    TARGET_HITS_EMA_DECAY_BPS,
    TARGET_HITS_PER_EPOCH,
    TARGET_MAX_DISTANCE_THRESHOLD,
    TARGET_MIN_DISTANCE_THRESHOLD,
    TARGET_MODELS_PER_TARGET,
)
from soma_desktop.network.sandbox.records import Model, System, Target, f32_array, f32_hex
from soma_desktop.network.sandbox.store import Store
from soma_desktop.protocol import limits
from soma_desktop.protocol import targets as rules
from soma_desktop.protocol.distance import f32, selection_weights, would_hit


def target_embedding(seed: int, dim: int) -> np.ndarray:
    """`arrgen::normal_array(seed, [dim], 0, 1)` — bit-exact with the chain (D2)."""
    return np.asarray(arrgen.normal_array(seed, [dim], 0.0, 1.0), dtype=np.float32).reshape(dim)


# --- stake-weighted KNN (§5.3) ----------------------------------------------------------------------

def active_models(store: Store) -> list[tuple[Model, int]]:
    """(model, pool soma_balance) for every Active model, in id order."""
    out = []
    for model in store.models():
        if model.state == "active":
            pool = store.pool(model.pool_id)
            assert pool is not None
            out.append((model, pool.soma_balance))
    return out


def knn_scores(target: np.ndarray, embeddings: np.ndarray, stakes: Sequence[int]) -> np.ndarray:
    """score_i = (1 − cos(target, e_i)) / (vp_i + 1e-10), vp_i = sqrt(s_i)/Σ sqrt(s_j); f32 like the chain."""
    vp = np.array(selection_weights(stakes), dtype=np.float64).astype(np.float32)
    t = target.astype(np.float32)
    e = embeddings.astype(np.float32)
    t_norm = np.maximum(np.sqrt(np.sum(t * t, dtype=np.float32)), np.float32(1e-8))
    e_norm = np.maximum(np.sqrt(np.sum(e * e, axis=1, dtype=np.float32)), np.float32(1e-8))
    cos = (e @ t).astype(np.float32) / (t_norm * e_norm)
    dist = np.float32(1.0) - cos.astype(np.float32)
    scores: np.ndarray = dist / (vp + np.float32(KNN_EPSILON))   # numpy's stubs type this division Any
    return scores.astype(np.float32)


def select_models(target: np.ndarray, candidates: list[tuple[Model, int]]) -> list[str]:
    """Ids of the k smallest scores, best first. Exact ties: lowest id first (the chain's sort is unstable)."""
    if not candidates:
        return []
    embeddings = np.stack([f32_array(m.embedding or "") for m, _ in candidates])
    scores = knn_scores(target, embeddings, [s for _, s in candidates])
    k = min(TARGET_MODELS_PER_TARGET, len(candidates))
    order = np.argsort(scores, kind="stable")[:k]
    return [candidates[i][0].id for i in order]


# --- generation and funding (§5.2) ----------------------------------------------------------------

def can_fund(system: System) -> bool:
    return rules.can_fund(system.emission_balance, system.targets_generated_this_epoch, system.reward_per_target)


def spawn_target(store: Store, system: System, target_id: str, seed: int,
                 candidates: list[tuple[Model, int]]) -> Target:
    """Create one funded Open target (caller checked `can_fund` and that candidates exist)."""
    embedding = target_embedding(seed, system.embedding_dim)
    target = Target(id=target_id, seed=seed, dim=system.embedding_dim,
                    model_ids=select_models(embedding, candidates),
                    distance_threshold=f32(system.distance_threshold), reward_pool=system.reward_per_target,
                    generation_epoch=system.epoch)
    system.emission_balance -= system.reward_per_target
    system.targets_generated_this_epoch += 1
    store.put_target(target)
    return target


def spawn_initial_batch(ctx: TxContext, count: int) -> list[str]:
    """Epoch-start batch: target k uses the same counter n_k for its seed and its id (§1.3)."""
    candidates = active_models(ctx.store)
    made: list[str] = []
    if not candidates:
        return made
    for _ in range(count):
        if not can_fund(ctx.system):
            break
        n = ctx.bump_counter()
        spawn_target(ctx.store, ctx.system, derive_id(ctx.digest, n), make_target_seed(ctx.digest, n), candidates)
        made.append(derive_id(ctx.digest, n))
        ctx.note_created(made[-1])
    return made


# --- difficulty (§5.4) ------------------------------------------------------------------------------

def adjust_difficulty(system: System) -> None:
    hits = system.hits_this_epoch
    decay = TARGET_HITS_EMA_DECAY_BPS
    ema = hits if system.hits_ema == 0 else (decay * system.hits_ema + (10_000 - decay) * hits) // 10_000
    system.hits_ema = ema
    if ema == 0:
        return
    sigma = EMBEDDING_DISTANCE_STD
    z = (1.0 - system.distance_threshold) / sigma
    step = max(abs(z) * TARGET_DIFFICULTY_ADJUSTMENT_RATE_BPS / 10_000, MIN_Z_STEP)
    if ema > TARGET_HITS_PER_EPOCH:
        z += step
    elif ema < TARGET_HITS_PER_EPOCH:
        z -= step
    z = min(max(z, (1.0 - TARGET_MAX_DISTANCE_THRESHOLD) / sigma), (1.0 - TARGET_MIN_DISTANCE_THRESHOLD) / sigma)
    system.distance_threshold = f32(1.0 - sigma * z)


# --- SubmitData (§5.6) ------------------------------------------------------------------------------

def submit_data(ctx: TxContext, target_id: str, model_id: str, embedding: Sequence[float], distance: float,
                loss: Sequence[float], manifest: dict[str, Any]) -> str | None:
    """Checks 1–8 in the chain's order; the bond comes from the gas coin. Returns a spawned target id."""
    target = ctx.store.target(target_id)
    if target is None:
        fail("ObjectNotFound", f"no target {target_id}")
    epoch = ctx.system.epoch
    if target.status != "open":                                                    # 1
        fail("TargetNotOpen", "the target was already filled")
    if rules.is_expired(target.generation_epoch, epoch):                           # 2
        fail("TargetExpired", f"generation_epoch {target.generation_epoch}, current_epoch {epoch}")
    if model_id not in target.model_ids:                                           # 3
        fail("ModelNotInTarget", "the model is not assigned to this target")
    expected = target.dim
    if len(embedding) != expected:                                                 # 4
        fail("EmbeddingDimensionMismatch", f"expected {expected}, actual {len(embedding)}")
    if not would_hit(distance, target.distance_threshold):                         # 5
        fail("DistanceExceedsThreshold", f"{f32(distance)} > {target.distance_threshold}")
    size = int(manifest["size"])
    if not limits.data_size_ok(size):                                              # 6
        fail("DataExceedsMaxSize", f"{size} bytes > {MAX_SUBMISSION_DATA_SIZE}")
    bond = rules.submission_bond(size)                                             # 7
    gas = ctx.gas_coin()
    if gas.balance < bond:
        fail("InsufficientBond", f"required {bond}, provided {gas.balance}")
    model = ctx.store.model(model_id)
    if model is None or model.state != "active":                                   # 8
        fail("ModelNotActive", "the model is no longer active")
    ctx.debit(gas, bond)
    target.status = "filled"
    target.fill_epoch = epoch
    target.submitter = ctx.sender
    target.winning_model_id = model_id
    target.winning_model_owner = model.owner
    target.bond_amount = bond
    target.data_manifest = manifest
    target.winning_embedding = f32_hex(embedding)
    target.winning_distance = f32(distance)
    target.winning_loss = [f32(x) for x in loss]
    ctx.store.put_target(target)
    ctx.note_mutated(target.id)
    ctx.system.hits_this_epoch += 1
    ctx.touch_system()
    ctx.bump_counter()                      # the chain bumps the counter once before the seed (§1.3)
    candidates = active_models(ctx.store)
    if candidates and can_fund(ctx.system):
        seed = make_target_seed(ctx.digest, ctx.bump_counter())
        new_id = derive_id(ctx.digest, ctx.bump_counter())
        spawn_target(ctx.store, ctx.system, new_id, seed, candidates)
        ctx.note_created(new_id)
        return new_id
    return None


# --- ClaimRewards (§5.7) ----------------------------------------------------------------------------

def claim_rewards(ctx: TxContext, target_id: str) -> list[str]:
    """A filled target pays reward shares and returns the bond as its own coin; every non-zero payout is a
    new coin, and the SystemState is written (Erratum 2, `submission.rs:385, 455-514`)."""
    target = ctx.store.target(target_id)
    if target is None:
        fail("ObjectNotFound", f"no target {target_id}")
    epoch = ctx.system.epoch
    filled = target.status == "filled"
    opens = rules.claimable_from(filled=filled, generation_epoch=target.generation_epoch,
                                 fill_epoch=target.fill_epoch)
    if epoch < opens:
        if filled:
            fail("AuditWindowOpen", f"claimable from epoch {opens}")
        fail("TargetNotFilled", f"an unfilled target is claimable from epoch {opens}")
    ctx.charge_value_fee(target.reward_pool)
    split = rules.claim_split(target.reward_pool, filled=filled, bond=target.bond_amount)
    payouts = [(ctx.sender or "", split.claimer)]
    if filled:
        assert target.submitter and target.winning_model_owner
        payouts = [(target.submitter, split.submitter), (target.winning_model_owner, split.model_owner),
                   (ctx.sender or "", split.claimer), (target.submitter, split.bond_returned)]
    coins = [ctx.mint_coin(owner, amount) for owner, amount in payouts if amount > 0]
    ctx.system.emission_balance += split.to_emission_pool
    ctx.touch_system()
    ctx.store.delete_target(target.id)
    ctx.note_deleted(target.id)
    return coins


# --- virtual statuses (§5.5) ------------------------------------------------------------------------

def virtual_status(target: Target, epoch: int) -> str:
    return rules.virtual_status(target.status, target.generation_epoch, target.fill_epoch, epoch)


def status_filter(status: str | None, epoch: int) -> tuple[str, tuple[int, ...]]:
    """SQL WHERE for a status filter, as the RPC's list_targets applies it."""
    if status is None:
        return "1=1", ()
    if status == "open":
        return "status='open' AND generation_epoch >= ?", (epoch,)
    if status == "expired":
        return "status='open' AND generation_epoch < ?", (epoch,)
    if status == "filled":
        return "status='filled'", ()
    if status == "claimable":
        return ("(status='open' AND generation_epoch < ?) OR (status='filled' AND fill_epoch + ? <= ?)",
                (epoch, rules.FILLED_CLAIM_DELAY, epoch))
    return "0=1", ()            # claimed: never stored (a claim deletes the target)
