"""The pure wizard state machine: reveal gating, commit window, reconciliation (hypothesis over states/epochs)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.core import crypto
from soma_desktop.network.types import Manifest, ModelInfo, ModelState, PendingUpdate, PoolInfo
from soma_desktop.publish.journal import TERMINAL, Job, JobKind, JobState
from soma_desktop.publish.workflow import (
    Action,
    ChainView,
    Step,
    commit_allowed,
    deadline,
    decide,
    reconcile,
    reveal_allowed,
    reveal_due,
)

ADDR = "0x" + "aa" * 32
OTHER = "0x" + "bb" * 32
MODEL = "0x" + "11" * 32
KEY = bytes(range(32))
OUR = dict(checksum=b"\3" * 32, key_commitment=crypto.key_commitment(KEY), embedding_commitment=b"\4" * 32)
POOL = PoolInfo("0x" + "22" * 32, 10**9, 0, 10**9, 0, None, None)


def _job(**kw) -> Job:
    base = dict(id=1, op_id="op", kind=JobKind.PUBLISH, network="sandbox", address=ADDR, state=JobState.NEW,
                url="http://127.0.0.1/x", size=10, stake=10**9, **OUR)
    base.update(kw)
    return Job(**base)


def _model(state: ModelState, *, ours: bool = True, commit_epoch: int | None = None, create_epoch: int = 0,
           revealed: bool = False, pending: int | None = None, owner: str = ADDR, mid: str = MODEL) -> ModelInfo:
    commitments = dict(weights_commitment=OUR["checksum"], embedding_commitment=OUR["embedding_commitment"],
                       decryption_key_commitment=OUR["key_commitment"] if ours else b"\x09" * 32)
    manifest = Manifest("http://127.0.0.1/x", OUR["checksum"], 10)
    pu = None
    if pending is not None:
        pu = PendingUpdate(manifest, commitments["weights_commitment"], commitments["embedding_commitment"],
                           commitments["decryption_key_commitment"], pending)
        commitments = dict(weights_commitment=b"\5" * 32, embedding_commitment=b"\6" * 32,
                           decryption_key_commitment=b"\7" * 32)
    extra = {} if state is ModelState.CREATED else dict(manifest=manifest, commit_epoch=commit_epoch, **commitments)
    if revealed:
        extra["decryption_key"] = KEY if ours else b"\x08" * 32
    return ModelInfo(id=mid, owner=owner, state=state, architecture_version=1, commission_rate=0,
                     next_commission_rate=0, create_epoch=create_epoch, stake=10**9, pool=POOL,
                     pending_update=pu, **extra)


epochs = st.integers(0, 8)
models = st.builds(
    _model, st.sampled_from(list(ModelState)), ours=st.booleans(), commit_epoch=st.one_of(st.none(), epochs),
    create_epoch=epochs, revealed=st.booleans(), pending=st.one_of(st.none(), epochs),
    owner=st.sampled_from([ADDR, OTHER]))
jobs = st.builds(
    _job, kind=st.sampled_from(list(JobKind)), state=st.sampled_from(list(JobState)),
    model_id=st.sampled_from([None, MODEL]), create_epoch=st.one_of(st.none(), epochs),
    commit_epoch=st.one_of(st.none(), epochs), sent_epoch=st.one_of(st.none(), epochs))
chains = st.builds(ChainView, epoch=epochs, model=st.one_of(st.none(), models),
                   owned_models=st.lists(models, max_size=3).map(tuple))


def _apply(job: Job, chain: ChainView, after_restart: bool = False) -> tuple[Job, int]:
    for steps in range(6):
        t = reconcile(job, chain.model, chain, after_restart=after_restart)
        if t is None:
            return job, steps
        job = replace(job, state=t.state, **t.changes)
    raise AssertionError("reconcile does not converge")


@settings(max_examples=800, deadline=None)
@given(job=jobs, chain=chains)
def test_never_a_reveal_outside_commit_epoch_plus_one(job, chain):
    decision = decide(job, chain)
    if decision.action is Action.REVEAL or reveal_allowed(job, chain):
        assert job.state is JobState.COMMITTED and job.commit_epoch is not None
        assert chain.epoch == job.commit_epoch + 1
        assert chain.model is not None and chain.model.owner == ADDR
    if decision.action is Action.COMMIT or commit_allowed(job, chain):
        assert chain.model is not None and chain.model.owner == ADDR
        if job.kind is JobKind.PUBLISH:
            assert chain.model.state is ModelState.CREATED and chain.epoch <= chain.model.create_epoch + 1
        else:
            assert chain.model.state is ModelState.ACTIVE


@settings(max_examples=600, deadline=None)
@given(job=jobs, chain=chains, after_restart=st.booleans())
def test_reconcile_converges_and_is_idempotent(job, chain, after_restart):
    settled, _ = _apply(job, chain, after_restart)
    assert _apply(settled, chain, after_restart) == (settled, 0)
    if job.terminal:
        assert settled == job
    if settled.state is JobState.REVEALED and job.state is not JobState.REVEALED:
        assert chain.model is not None and chain.model.state is ModelState.ACTIVE
    if settled.state is JobState.MISSED_REVEAL and not job.terminal:   # only when the window is really gone
        assert chain.model.state is ModelState.INACTIVE or chain.epoch >= settled.commit_epoch + 2


@settings(max_examples=300, deadline=None)
@given(job=jobs, epoch=epochs)
def test_reveal_due_only_in_the_window(job, epoch):
    if reveal_due(job, epoch):
        assert epoch == job.commit_epoch + 1


def test_commit_landed_before_the_crash_is_detected():
    job = _job(state=JobState.COMMIT_SENT, model_id=MODEL, create_epoch=3)
    chain = ChainView(epoch=4, model=_model(ModelState.PENDING, commit_epoch=4, create_epoch=3))
    t = reconcile(job, chain.model, chain, after_restart=True)
    assert t.state is JobState.COMMITTED and t.changes["commit_epoch"] == 4   # read from chain, not assumed


def test_commit_not_landed_is_offered_again_only_after_restart_and_in_the_window():
    job = _job(state=JobState.COMMIT_SENT, model_id=MODEL, create_epoch=3)
    created = _model(ModelState.CREATED, create_epoch=3)
    assert reconcile(job, created, ChainView(4, created)) is None                  # maybe still in flight
    assert reconcile(job, created, ChainView(4, created), after_restart=True).state is JobState.CREATED
    late = reconcile(job, created, ChainView(5, created), after_restart=True)
    assert late.state is JobState.COMMIT_WINDOW_MISSED and late.changes["slash"] == 10**9 // 2


def test_create_status_unknown_recovers_the_model_id():
    job = _job(state=JobState.CREATE_SENT, sent_epoch=2)
    old = _model(ModelState.CREATED, create_epoch=1, mid="0x" + "01" * 32)
    foreign = _model(ModelState.CREATED, create_epoch=2, owner=OTHER, mid="0x" + "02" * 32)
    claimed = _model(ModelState.CREATED, create_epoch=2, mid="0x" + "03" * 32)
    new = _model(ModelState.CREATED, create_epoch=2, mid="0x" + "04" * 32)
    chain = ChainView(2, None, owned_models=(old, foreign, claimed, new), known_model_ids=frozenset({claimed.id}))
    t = reconcile(job, None, chain)
    assert t.state is JobState.CREATED and t.changes["model_id"] == new.id and t.changes["create_epoch"] == 2
    nothing = ChainView(2, None, owned_models=(old, foreign, claimed), known_model_ids=frozenset({claimed.id}))
    assert reconcile(job, None, nothing) is None
    assert reconcile(job, None, nothing, after_restart=True).state is JobState.UPLOAD_VERIFIED


def test_wizard_steps_and_deadlines():
    chain = ChainView(5, _model(ModelState.PENDING, commit_epoch=5), epoch_start_ms=1_000, epoch_duration_ms=100)
    committed = _job(state=JobState.COMMITTED, model_id=MODEL, commit_epoch=5)
    wait = decide(committed, chain)
    assert (wait.step, wait.action, wait.opens_epoch) == (Step.WAIT, Action.WAIT_EPOCH, 6)
    d = deadline(committed, chain)
    assert (d.kind, d.epoch, d.ends_ms, d.urgent) == ("reveal_opens", 6, 1_100, False)
    now = ChainView(6, chain.model, epoch_start_ms=1_100, epoch_duration_ms=100)
    assert decide(committed, now).action is Action.REVEAL
    d = deadline(committed, now)
    assert (d.kind, d.ends_ms, d.urgent) == ("reveal", 1_200, True)
    late = ChainView(7, chain.model)
    assert decide(committed, late).action is Action.RECONCILE
    missed = replace(committed, state=JobState.MISSED_REVEAL, slash=5)
    assert decide(missed, late).step is Step.FAILED and decide(missed, late).slash == 5
    assert all(decide(_job(state=s), late).step is (Step.ACTIVE if s is JobState.REVEALED else Step.FAILED)
               for s in TERMINAL)


def test_update_flow_gates():
    active = _model(ModelState.ACTIVE, commit_epoch=1, ours=False, revealed=True)
    job = _job(kind=JobKind.UPDATE, state=JobState.UPLOAD_VERIFIED, model_id=MODEL)
    assert decide(job, ChainView(3, active)).action is Action.COMMIT
    with_update = _model(ModelState.ACTIVE, commit_epoch=1, revealed=True, pending=3)
    sent = replace(job, state=JobState.COMMIT_SENT)
    assert reconcile(sent, with_update, ChainView(3, with_update)).changes["commit_epoch"] == 3
    committed = replace(job, state=JobState.COMMITTED, commit_epoch=3)
    assert decide(committed, ChainView(4, with_update)).action is Action.REVEAL
    dropped = reconcile(committed, active, ChainView(5, active))
    assert dropped.state is JobState.UPDATE_DROPPED and "slash" not in dropped.changes
