"""Targets (protocol.md §5): generation, stake-weighted KNN, SubmitData checks 1–8, claims, statuses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from soma_desktop.core.crypto import b58decode, blake2b256, derive_id, make_target_seed
from soma_desktop.network import types as t
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sandbox import DEMO_PUBLISHER_ADDRESS
from soma_desktop.network.sandbox.params import SOMA
from soma_desktop.network.sandbox.records import System
from soma_desktop.network.sandbox.targets import (
    adjust_difficulty,
    can_fund,
    knn_scores,
    target_embedding,
)
from soma_desktop.protocol.targets import claim_split, genesis_reward_per_target, reward_per_target
from tests.sandbox.helpers import DEMO, DIM, activate_model, addr, base_fee_only, expect_fail, fund, snapshot

SUBMITTER = addr("submitter")
CLAIMER = addr("claimer")


def manifest(size: int = 1024) -> t.Manifest:
    return t.Manifest(url="https://example.org/data.bin", checksum=blake2b256(b"data"), size=size)


def spec(target: t.Target, model_id: str | None = None, *, distance: float = 0.5, size: int = 1024,
         dim: int = DIM) -> t.SubmitSpec:
    return t.SubmitSpec(target_id=target.id, data_manifest=manifest(size), model_id=model_id or target.model_ids[0],
                        embedding=tuple([0.1] * dim), distance_score=distance, loss_score=(2.5,))


def open_targets(chain) -> list[t.Target]:
    return chain.list_targets(status=t.TargetStatus.OPEN, limit=1000).targets


@pytest.fixture
def submitter(chain):
    fund(chain, SUBMITTER, 100 * SOMA)
    fund(chain, CLAIMER, 10 * SOMA)
    return SUBMITTER


# --- generation -------------------------------------------------------------------------------------

def test_genesis_targets_exist_from_the_first_epoch(chain):
    targets = open_targets(chain)
    assert len(targets) == 100
    demo_ids = {m.id for m in chain.list_models() if m.state is t.ModelState.ACTIVE}
    assert len(demo_ids) == 3
    for target in targets:
        assert target.reward_pool == genesis_reward_per_target() == 5_480_000_000
        assert target.generation_epoch == 0 and len(target.model_ids) == 3 and set(target.model_ids) <= demo_ids
        assert target.distance_threshold == float(np.float32(1.05))
        assert len(target.embedding) == DIM


def test_boundary_expires_targets_and_creates_a_funded_batch(chain):
    chain.advance_epoch()
    state = chain.system_state()
    assert state.reward_per_target == reward_per_target() == 12_685_185
    new = open_targets(chain)
    assert len(new) == 100 and all(x.generation_epoch == 1 and x.reward_pool == 12_685_185 for x in new)
    assert len(chain.list_targets(status=t.TargetStatus.EXPIRED, limit=1000).targets) == 100
    # initial target k: seed and id from the SAME counter, after the 4 commission StakedSoma (counters 0–3)
    tx = chain.list_transactions(1)[0]
    assert tx["kind"] == "ChangeEpoch"
    digest = b58decode(tx["digest"])
    target = chain.get_target(derive_id(digest, 4))
    expected = target_embedding(make_target_seed(digest, 4), DIM)
    assert np.asarray(target.embedding, "<f4").tobytes() == expected.tobytes()


def test_funding_rule():
    system = System(epoch=1, epoch_start_ms=0, epoch_duration_ms=1, embedding_dim=DIM, emission_balance=10**15,
                    value_fee_bps=10, distance_threshold=1.05, reward_per_target=reward_per_target())
    budget = 1370 * SOMA * 8000 // 10_000
    system.targets_generated_this_epoch = budget // system.reward_per_target - 1
    assert can_fund(system)
    system.targets_generated_this_epoch += 1
    assert not can_fund(system)                      # (gen + 1) × r > budget
    system.targets_generated_this_epoch = 0
    system.emission_balance = system.reward_per_target - 1
    assert not can_fund(system)                      # pool cannot pay


def test_no_targets_without_active_models(tmp_path, clock, monkeypatch):
    from soma_desktop.network.sandbox import SandboxChain, SandboxConfig, genesis
    monkeypatch.setattr(genesis, "load_demo_models", lambda dim, resources=None: ([], "none"))
    chain = SandboxChain(tmp_path / "empty.db", SandboxConfig(embedding_dim=DIM, timed=False, clock=clock))
    assert chain.list_targets().targets == []
    chain.advance_epoch()
    assert chain.list_targets().targets == []
    assert chain.supply_audit()["total"] == chain.supply_audit()["expected"]
    chain.close()


# --- KNN (§5.3) -------------------------------------------------------------------------------------

def _reference_scores(target, embeddings, stakes):
    roots = [math.sqrt(s) for s in stakes]
    vp = [r / sum(roots) for r in roots]
    dist = [1 - (e @ target) / (np.linalg.norm(e) * np.linalg.norm(target)) for e in embeddings.astype(np.float64)]
    return [d / (v + 1e-10) for d, v in zip(dist, vp)]


def test_knn_is_cosine_over_sqrt_stake_not_linear_or_l2():
    target = np.array([1.0, 0.0], np.float32)
    embeddings = np.array([[1.0, 0.3], [1.0, 0.5]], np.float32)     # model 0 is closer by cosine
    # 4× the stake (2× sqrt) does not overcome model 0's lead; linear weighting would.
    scores = knn_scores(target, embeddings, [1 * SOMA, 4 * SOMA])
    assert np.allclose(scores, _reference_scores(target, embeddings, [SOMA, 4 * SOMA]), rtol=1e-4)
    assert list(np.argsort(scores)) == [0, 1]
    # 9× the stake (3× sqrt) does.
    scores = knn_scores(target, embeddings, [1 * SOMA, 9 * SOMA])
    assert list(np.argsort(scores)) == [1, 0]
    # cosine is scale-free: a scaled embedding gets the same score (L2 would not)
    scaled = knn_scores(target, embeddings * np.float32(7.0), [1 * SOMA, 9 * SOMA])
    assert np.allclose(scaled, scores, rtol=1e-5)


def test_knn_zero_stake_everywhere_falls_back_to_uniform():
    target = np.array([1.0, 0.0], np.float32)
    scores = knn_scores(target, np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), [0, 0])
    assert np.allclose(scores, [0.0, 1.0 / 0.5], atol=1e-6)


def test_targets_route_to_a_heavily_staked_model(chain):
    model_id, _, _ = activate_model(chain, stake=10_000 * SOMA)
    chain.advance_epoch()
    targets = open_targets(chain)
    assert targets and all(model_id in x.model_ids for x in targets)
    # and the stored order is the reference order
    models = {m.id: m for m in chain.list_models() if m.state is t.ModelState.ACTIVE}
    ids = sorted(models)
    embs = np.array([models[i].embedding for i in ids], np.float32)
    stakes = [models[i].stake for i in ids]
    for target in targets[:10]:
        scores = knn_scores(np.asarray(target.embedding, np.float32), embs, stakes)
        assert tuple(ids[i] for i in np.argsort(scores, kind="stable")[:3]) == target.model_ids


# --- SubmitData -------------------------------------------------------------------------------------

def test_submit_fills_bonds_and_spawns(chain, submitter):
    target = open_targets(chain)[0]
    before = chain.get_balance(submitter)
    state = chain.system_state()
    result = chain.submit_data(submitter, spec(target, size=1024))
    assert result.fee == 1000 + 4 * 300                         # gas, target, SystemState, new target
    assert chain.get_balance(submitter) == before - 1024 * 65 - result.fee
    filled = chain.get_target(target.id)
    assert filled.status is t.TargetStatus.FILLED and filled.fill_epoch == 0 and filled.submitter == submitter
    assert filled.winning_model_owner == DEMO_PUBLISHER_ADDRESS and filled.bond_amount == 66_560
    after = chain.system_state()
    assert after.hits_this_epoch == state.hits_this_epoch + 1
    assert after.targets_generated_this_epoch == state.targets_generated_this_epoch + 1
    digest = b58decode(result.digest)
    spawned = chain.get_target(derive_id(digest, 2))           # seed from counter 1, id from counter 2
    assert result.created == (spawned.id,)
    assert np.asarray(spawned.embedding, "<f4").tobytes() == target_embedding(make_target_seed(digest, 1),
                                                                               DIM).tobytes()
    assert spawned.status is t.TargetStatus.OPEN and spawned.reward_pool == state.reward_per_target


def test_submit_without_spawn_costs_1900(chain, submitter, monkeypatch):
    from soma_desktop.network.sandbox import targets as rules
    monkeypatch.setattr(rules, "can_fund", lambda system: False)
    result = chain.submit_data(submitter, spec(open_targets(chain)[0]))
    assert result.fee == 1000 + 3 * 300 and result.created == ()


def test_submit_checks_in_order(chain, submitter):
    targets = open_targets(chain)
    first = targets[0]
    chain.submit_data(submitter, spec(first))
    other = addr("not-a-model")
    # 1 status before everything else
    expect_fail("TargetNotOpen", chain.submit_data, submitter, spec(first, other, distance=9.0, dim=3))
    second = targets[1]
    # 3 model before 4 dimension before 5 distance before 6 size
    expect_fail("ModelNotInTarget", chain.submit_data, submitter, spec(second, other, distance=9.0, dim=3))
    expect_fail("EmbeddingDimensionMismatch", chain.submit_data, submitter, spec(second, distance=9.0, dim=3))
    expect_fail("DistanceExceedsThreshold", chain.submit_data, submitter,
                spec(second, distance=1.06, size=2 * 1024 * 1024))
    expect_fail("DataExceedsMaxSize", chain.submit_data, submitter, spec(second, size=1024 * 1024 + 1))
    poor = addr("poor-submitter")
    fund(chain, poor, 10_000)
    err = expect_fail("InsufficientBond", chain.submit_data, poor, spec(second, size=1024))
    assert "66560" in str(err)
    # equality with the threshold passes; exactly 1 MiB passes
    chain.submit_data(submitter, spec(second, distance=second.distance_threshold, size=1024 * 1024))


def test_submit_after_the_target_epoch_is_expired(chain, submitter):
    target = open_targets(chain)[0]
    chain.advance_epoch()
    err = expect_fail("TargetExpired", chain.submit_data, submitter, spec(target, addr("x"), dim=3))
    assert "generation_epoch 0" in str(err) and "current_epoch 1" in str(err)


def test_submit_model_no_longer_active(chain, submitter):
    model_id, _, _ = activate_model(chain, stake=10_000 * SOMA)
    chain.advance_epoch()
    target = open_targets(chain)[0]
    chain.deactivate_model(DEMO, model_id)
    gas = chain.list_coins(submitter)[0]
    before = snapshot(chain)
    expect_fail("ModelNotActive", chain.submit_data, submitter, spec(target, model_id))
    base_fee_only(before, snapshot(chain), gas.id)


def test_submit_unknown_target_is_rejected_without_fee(chain, submitter):
    before = snapshot(chain)
    fake = t.Target(id=addr("ghost"), status=t.TargetStatus.OPEN, embedding=(), model_ids=(addr("m"),),
                    distance_threshold=1.0, reward_pool=0, generation_epoch=0)
    err = expect_fail("ObjectNotFound", chain.submit_data, submitter, spec(fake))
    assert err.fee == 0 and snapshot(chain) == before


def test_submit_non_finite_scores_are_invalid_input(chain, submitter):
    target = open_targets(chain)[0]
    before = snapshot(chain)
    with pytest.raises(InvalidInput):
        chain.submit_data(submitter, spec(target, distance=float("nan")))
    assert snapshot(chain) == before


# --- ClaimRewards -----------------------------------------------------------------------------------

def test_claim_split_worked_example():
    split = claim_split(12_685_185, filled=True)
    assert (split.submitter, split.model_owner, split.claimer) == (6_310_881, 6_310_879, 63_425)
    for reward in (1, 199, 10**9 + 7, 5_480_000_000):
        s = claim_split(reward, filled=True)
        assert s.submitter + s.model_owner + s.claimer == reward
        assert s.model_owner == reward * 4975 // 10_000 and s.claimer == reward * 50 // 10_000


def test_claim_filled_only_from_fill_epoch_plus_two_with_exact_split(chain, submitter):
    chain.advance_epoch()                                       # epoch 1: reward_per_target = 12,685,185
    target = open_targets(chain)[0]
    chain.submit_data(submitter, spec(target))
    expect_fail("AuditWindowOpen", chain.claim_rewards, CLAIMER, target.id)
    chain.advance_epoch()                                       # fill + 1: reports window
    assert chain.get_target(target.id).status is t.TargetStatus.FILLED
    expect_fail("AuditWindowOpen", chain.claim_rewards, CLAIMER, target.id)
    chain.advance_epoch()                                       # fill + 2
    assert chain.get_target(target.id).status is t.TargetStatus.CLAIMABLE
    owner_before = chain.get_balance(DEMO_PUBLISHER_ADDRESS)
    sub_before, clm_before = chain.get_balance(submitter), chain.get_balance(CLAIMER)
    result = chain.claim_rewards(CLAIMER, target.id)
    bps = chain.system_state().value_fee_bps
    # submission.rs:385, 455-514 (Erratum 2): gas, SystemState and 4 new coins = 6 objects written
    assert result.fee == 1000 + 6 * 300 + 12_685_185 * (bps // 2) // 10_000
    assert len(result.created) == 4
    assert chain.get_balance(submitter) - sub_before == 6_310_881 + 66_560          # share + dust + bond back
    assert {c.balance for c in chain.list_coins(submitter)} >= {6_310_881, 66_560}  # the bond is its own coin
    assert chain.get_balance(DEMO_PUBLISHER_ADDRESS) - owner_before == 6_310_879
    assert chain.get_balance(CLAIMER) - clm_before == 63_425 - result.fee
    err = expect_fail("ObjectNotFound", chain.claim_rewards, CLAIMER, target.id)   # deleted
    assert err.fee == 0


def test_claim_unfilled_target(chain, submitter):
    target = open_targets(chain)[0]
    expect_fail("TargetNotFilled", chain.claim_rewards, CLAIMER, target.id)
    chain.advance_epoch()
    pool_before = chain.system_state().emission_balance
    before = chain.get_balance(CLAIMER)
    result = chain.claim_rewards(CLAIMER, target.id)
    incentive = target.reward_pool * 50 // 10_000
    assert chain.get_balance(CLAIMER) == before + incentive - result.fee
    assert chain.system_state().emission_balance == pool_before + target.reward_pool - incentive


# --- statuses and paging ----------------------------------------------------------------------------

def test_statuses_and_paging(chain, submitter):
    targets = open_targets(chain)
    chain.submit_data(submitter, spec(targets[0]))
    counts = {s: len(chain.list_targets(status=s, limit=1000).targets) for s in t.TargetStatus}
    assert counts[t.TargetStatus.FILLED] == 1 and counts[t.TargetStatus.OPEN] == 100   # 99 + 1 spawned
    assert counts[t.TargetStatus.CLAIMABLE] == 0 and counts[t.TargetStatus.EXPIRED] == 0
    assert counts[t.TargetStatus.CLAIMED] == 0
    chain.advance_epoch()
    counts = {s: len(chain.list_targets(status=s, limit=1000).targets) for s in t.TargetStatus}
    assert counts[t.TargetStatus.EXPIRED] == 100 and counts[t.TargetStatus.CLAIMABLE] == 100
    assert counts[t.TargetStatus.FILLED] == 1
    chain.advance_epoch()
    assert len(chain.list_targets(status="claimable", limit=1000).targets) == 201
    # paging visits every target exactly once, newest generation first
    seen, token = [], None
    while True:
        page = chain.list_targets(page_token=token, limit=37)
        seen.extend(page.targets)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len({x.id for x in seen}) == 301
    assert [x.generation_epoch for x in seen] == sorted((x.generation_epoch for x in seen), reverse=True)
    for bad in ({"limit": 0}, {"limit": 1001}, {"page_token": "garbage"}, {"status": "sideways"}):
        with pytest.raises(InvalidInput):
            chain.list_targets(**bad)


# --- difficulty (§5.4) ------------------------------------------------------------------------------

def test_difficulty_eases_1_05_to_2_after_hits():
    system = System(epoch=1, epoch_start_ms=0, epoch_duration_ms=1, embedding_dim=DIM, emission_balance=0,
                    value_fee_bps=10, distance_threshold=float(np.float32(1.05)), reward_per_target=1)
    seen = []
    for _ in range(6):
        system.hits_this_epoch = 5
        adjust_difficulty(system)
        seen.append(round(system.distance_threshold, 4))
    assert seen == [1.1, 1.2, 1.4, 1.8, 2.0, 2.0]
    assert system.hits_ema == 5


def test_difficulty_unchanged_without_hits(chain):
    for _ in range(3):
        chain.advance_epoch()
    assert chain.system_state().distance_threshold == float(np.float32(1.05))


def test_hits_move_the_threshold_at_the_boundary(chain, submitter):
    chain.submit_data(submitter, spec(open_targets(chain)[0]))
    state = chain.advance_epoch()
    assert round(state.distance_threshold, 4) == 1.1 and state.hits_this_epoch == 0
    assert all(x.distance_threshold == state.distance_threshold for x in open_targets(chain))
