"""The publish wizard as a pure state machine: (journal row, chain view) -> what happens next.

Nothing here performs I/O. `reconcile` maps chain truth onto a journal row (security.md §4.3) and is
idempotent: applying its transition and calling it again yields None. `decide` says which step the UI shows
and which action the runner may take; it never offers a reveal outside epoch `commit_epoch + 1`
(protocol.md §3.4), and never a commit outside the create window `create_epoch .. create_epoch + 1`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from soma_desktop.core import crypto
from soma_desktop.core.amounts import bps_mul
from soma_desktop.network.types import ModelInfo, ModelState, SystemState
from soma_desktop.protocol.params import MODEL_REVEAL_SLASH_RATE_BPS as REVEAL_SLASH_BPS
from soma_desktop.protocol.reveal import last_commit_epoch, reveal_epoch, reveal_missed, reveal_open
from soma_desktop.publish.journal import Job, JobKind, JobState


class Step(str, enum.Enum):
    """The wizard page to show."""
    WEIGHTS = "weights"
    EMBEDDING = "embedding"
    ENCRYPT = "encrypt"
    HOST = "host"
    VERIFY = "verify"
    CREATE = "create"
    COMMIT = "commit"
    WAIT = "wait"
    REVEAL = "reveal"
    ACTIVE = "active"
    FAILED = "failed"


class Action(str, enum.Enum):
    """What the runner (or the user) does next."""
    ASK_WEIGHTS = "ask_weights"        # UI: pick a safetensors file -> runner.set_weights
    ASK_EMBEDDING = "ask_embedding"    # UI: compute or import -> runner.set_embedding
    ENCRYPT = "encrypt"                # runner.encrypt (worker thread, progress)
    ASK_HOSTING = "ask_hosting"        # UI: local server / pre-signed PUT / own URL -> runner.host_*
    VERIFY = "verify"                  # runner.verify
    ASK_CREATE = "ask_create"          # UI: stake + commission, confirm -> runner.create
    COMMIT = "commit"                  # UI: confirm -> runner.commit (deadline_epoch = last allowed)
    WAIT_EPOCH = "wait_epoch"          # countdown until opens_epoch
    REVEAL = "reveal"                  # runner.reveal; only ever when chain epoch == commit_epoch + 1
    RECONCILE = "reconcile"            # outcome unknown or chain moved: runner.reconcile
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ChainView:
    """What the workflow knows of the chain: the current epoch and the job's model (None if unknown)."""

    epoch: int
    model: ModelInfo | None = None
    epoch_start_ms: int = 0
    epoch_duration_ms: int = 0
    owned_models: tuple[ModelInfo, ...] = ()      # the address's models (to recover a lost model id)
    known_model_ids: frozenset[str] = frozenset()  # model ids already claimed by other journal jobs

    @classmethod
    def of(cls, state: SystemState, model: ModelInfo | None = None, *, owned_models: Iterable[ModelInfo] = (),
           known_model_ids: Iterable[str] = ()) -> ChainView:
        return cls(state.epoch, model, state.epoch_start_ms, state.epoch_duration_ms, tuple(owned_models),
                   frozenset(known_model_ids))

    def epoch_end_ms(self, epoch: int) -> int | None:
        """Estimated wall-clock end of `epoch` (reminders only; chain epochs drive state)."""
        if not self.epoch_duration_ms:
            return None
        return self.epoch_start_ms + (epoch - self.epoch + 1) * self.epoch_duration_ms


@dataclass(frozen=True)
class Transition:
    state: JobState
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Decision:
    step: Step
    action: Action
    message: str
    needs_user: bool = False            # the UI must collect input or a confirmation
    deadline_epoch: int | None = None   # last epoch in which `action` is allowed
    opens_epoch: int | None = None      # WAIT: the epoch in which the reveal opens
    slash: int | None = None            # FAILED: estimated shannons lost


# --- chain matching ---------------------------------------------------------------------------

def _ours(job: Job, weights: bytes | None, emb: bytes | None, key: bytes | None) -> bool:
    return (job.key_commitment is not None and key == job.key_commitment
            and emb == job.embedding_commitment and weights == job.checksum)


def _pending_ours(job: Job, m: ModelInfo) -> int | None:
    """commit_epoch of our commitment on chain (Pending, or Active with our pending update), else None."""
    if job.kind is JobKind.PUBLISH and m.state is ModelState.PENDING and _ours(
            job, m.weights_commitment, m.embedding_commitment, m.decryption_key_commitment):
        return m.commit_epoch
    pu = m.pending_update
    if job.kind is JobKind.UPDATE and m.state is ModelState.ACTIVE and pu is not None and _ours(
            job, pu.weights_commitment, pu.embedding_commitment, pu.decryption_key_commitment):
        return pu.commit_epoch
    return None


def _revealed_ours(job: Job, m: ModelInfo) -> bool:
    if m.state is not ModelState.ACTIVE or job.key_commitment is None:
        return False
    key_ok = (m.decryption_key is not None and crypto.blake2b256(m.decryption_key) == job.key_commitment)
    key_ok = key_ok or (m.decryption_key is None and m.decryption_key_commitment == job.key_commitment)
    return key_ok and m.embedding_commitment in (None, job.embedding_commitment) \
        and (m.manifest is None or m.manifest.checksum == job.checksum)


def _slash(job: Job) -> int | None:
    return bps_mul(job.stake, REVEAL_SLASH_BPS) if job.stake else None


def _find_orphan(job: Job, chain: ChainView) -> ModelInfo | None:
    """A Created model of ours that no journal job claims, created since our last create attempt."""
    if job.sent_epoch is None:
        return None
    found = [m for m in chain.owned_models
             if m.owner == job.address and m.id not in chain.known_model_ids and m.state is ModelState.CREATED
             and m.create_epoch >= job.sent_epoch and m.id != job.model_id]
    return found[0] if len(found) == 1 else None  # several candidates: ambiguous, let the user decide


# --- reconcile ----------------------------------------------------------------------------------

def reconcile(job: Job, model_info: ModelInfo | None, system_state: SystemState | ChainView, *,
              after_restart: bool = False, owned_models: Sequence[ModelInfo] = (),
              known_model_ids: Iterable[str] = ()) -> Transition | None:
    """Map chain truth onto `job`. Returns the journal transition to apply, or None if the row is current.

    `after_restart`: the process that sent a `*_SENT` transaction is gone; if the chain shows no effect,
    go back to the state before sending so the same operation is offered again (never a different one).
    """
    if isinstance(system_state, ChainView):
        chain = replace(system_state, model=model_info,
                        owned_models=tuple(owned_models) or system_state.owned_models,
                        known_model_ids=frozenset(known_model_ids) or system_state.known_model_ids)
    else:
        chain = ChainView.of(system_state, model_info, owned_models=owned_models, known_model_ids=known_model_ids)
    if job.terminal:
        return None
    if job.kind is JobKind.PUBLISH:
        return _reconcile_publish(job, chain, after_restart)
    return _reconcile_update(job, chain, after_restart)


def _reconcile_unknown_id(job: Job, chain: ChainView, after_restart: bool) -> Transition | None:
    """A publish job whose create was sent (or is about to be) but whose model id we never learned."""
    s = job.state
    if s in (JobState.CREATE_SENT, JobState.UPLOAD_VERIFIED):
        orphan = _find_orphan(job, chain)
        if orphan is not None:
            return Transition(JobState.CREATED, {"model_id": orphan.id, "create_epoch": orphan.create_epoch,
                                                 "last_error": None}, "model id recovered from chain")
        if s is JobState.CREATE_SENT and after_restart:
            return Transition(JobState.UPLOAD_VERIFIED, {}, "create not found on chain; offer it again")
    return None


def _reconcile_publish(job: Job, chain: ChainView, after_restart: bool) -> Transition | None:
    s, m, epoch = job.state, chain.model, chain.epoch
    if job.model_id is None:
        return _reconcile_unknown_id(job, chain, after_restart)
    if m is None:
        return None
    if s is JobState.CREATE_SENT:
        return Transition(JobState.CREATED, {"create_epoch": m.create_epoch}, "create seen on chain")
    if _revealed_ours(job, m):
        if s in (JobState.CREATED, JobState.COMMIT_SENT, JobState.COMMITTED, JobState.REVEAL_SENT):
            return Transition(JobState.REVEALED, {"commit_epoch": job.commit_epoch or m.commit_epoch,
                                                  "last_error": None}, "model Active with our key")
        return None
    pending = _pending_ours(job, m)
    if pending is not None:
        if s in (JobState.CREATED, JobState.COMMIT_SENT):
            return Transition(JobState.COMMITTED, {"commit_epoch": pending, "last_error": None},
                              "commit seen on chain")
        if s in (JobState.COMMITTED, JobState.REVEAL_SENT) and job.commit_epoch != pending:
            return Transition(s, {"commit_epoch": pending}, "commit epoch read from chain")
    if s in (JobState.COMMITTED, JobState.REVEAL_SENT):
        return _reconcile_committed(job, m, epoch, pending, after_restart)
    if s in (JobState.CREATED, JobState.COMMIT_SENT):
        if m.state is ModelState.INACTIVE:
            return Transition(JobState.COMMIT_NOT_EXECUTED, {}, "model is Inactive")
        if m.state is ModelState.CREATED and epoch > last_commit_epoch(m.create_epoch):
            return Transition(JobState.COMMIT_WINDOW_MISSED, {"slash": _slash(job)},
                              f"no commit by epoch {last_commit_epoch(m.create_epoch)}")
        if s is JobState.COMMIT_SENT and after_restart and m.state is ModelState.CREATED:
            return Transition(JobState.CREATED, {}, "commit not seen on chain; offer it again")
    return None


def _reconcile_committed(job: Job, m: ModelInfo, epoch: int, pending: int | None,
                         after_restart: bool) -> Transition | None:
    """COMMITTED / REVEAL_SENT with no reveal seen yet: the reveal window either passed or is still open."""
    commit_epoch = job.commit_epoch if job.commit_epoch is not None else pending
    if commit_epoch is not None and (reveal_missed(commit_epoch, epoch) or m.state is ModelState.INACTIVE):
        return Transition(JobState.MISSED_REVEAL, {"slash": _slash(job)},
                          f"no reveal in epoch {reveal_epoch(commit_epoch)}")
    if (job.state is JobState.REVEAL_SENT and after_restart and pending is not None and commit_epoch is not None
            and reveal_open(commit_epoch, epoch)):
        return Transition(JobState.COMMITTED, {}, "reveal not seen on chain; offer it again")
    return None


def _reconcile_update(job: Job, chain: ChainView, after_restart: bool) -> Transition | None:
    s, m, epoch = job.state, chain.model, chain.epoch
    if m is None:
        return None
    sent_or_later = (JobState.COMMIT_SENT, JobState.COMMITTED, JobState.REVEAL_SENT)
    if s in sent_or_later and _revealed_ours(job, m) and m.pending_update is None:
        return Transition(JobState.REVEALED, {"last_error": None}, "update applied on chain")
    pending = _pending_ours(job, m)
    if pending is not None:
        if s is JobState.COMMIT_SENT:
            return Transition(JobState.COMMITTED, {"commit_epoch": pending, "last_error": None},
                              "update commit seen on chain")
        if s in (JobState.COMMITTED, JobState.REVEAL_SENT) and job.commit_epoch != pending:
            return Transition(s, {"commit_epoch": pending}, "commit epoch read from chain")
    if s in (JobState.COMMITTED, JobState.REVEAL_SENT):
        commit_epoch = job.commit_epoch if job.commit_epoch is not None else pending
        if pending is None or commit_epoch is None or reveal_missed(commit_epoch, epoch):
            return Transition(JobState.UPDATE_DROPPED, {}, "update not revealed in its window")
        if s is JobState.REVEAL_SENT and after_restart and reveal_open(commit_epoch, epoch):
            return Transition(JobState.COMMITTED, {}, "reveal not seen on chain; offer it again")
        return None
    if s is JobState.COMMIT_SENT:
        if m.state is not ModelState.ACTIVE:
            return Transition(JobState.COMMIT_NOT_EXECUTED, {}, "model is no longer Active")
        if after_restart:
            return Transition(JobState.UPLOAD_VERIFIED, {}, "update commit not seen on chain; offer it again")
    return None


# --- decide -------------------------------------------------------------------------------------

_INPUT_STEPS = {
    JobState.NEW: (Step.WEIGHTS, Action.ASK_WEIGHTS, "Choose the safetensors weights file."),
    JobState.WEIGHTS_OK: (Step.EMBEDDING, Action.ASK_EMBEDDING, "Compute or import the model embedding."),
    JobState.EMBEDDING_OK: (Step.ENCRYPT, Action.ENCRYPT, "Encrypt the weights with a fresh key."),
    JobState.PREPARED: (Step.HOST, Action.ASK_HOSTING, "Choose where validators download the encrypted weights."),
    JobState.HOSTED: (Step.VERIFY, Action.VERIFY, "Check that the URL serves exactly the encrypted file."),
}
_FAILED_TEXT = {
    JobState.CANCELLED: "Publishing was cancelled before anything reached the chain.",
    JobState.COMMIT_NOT_EXECUTED: "The chain did not accept the commit; nothing was committed.",
    JobState.COMMIT_WINDOW_MISSED: "The model was not committed by the end of the epoch after it was created; "
                                   "50 % of its stake is slashed at each epoch boundary.",
    JobState.MISSED_REVEAL: "The reveal window passed; the model is Inactive and 50 % of its stake was slashed.",
    JobState.UPDATE_DROPPED: "The update was not revealed in its window and was dropped (no penalty).",
}


def decide(job: Job, chain: ChainView) -> Decision:
    """The wizard step to show and the next action. Pure; call again after every change."""
    if job.state is JobState.REVEALED:
        return Decision(Step.ACTIVE, Action.DONE, "The model is Active." if job.kind is JobKind.PUBLISH
                        else "The weights update is live.")
    if job.terminal:
        return Decision(Step.FAILED, Action.FAILED, _FAILED_TEXT[job.state], slash=job.slash)
    if reconcile(job, chain.model, chain) is not None:
        return Decision(_step_of(job.state), Action.RECONCILE, "Updating from the chain.")
    if job.state in _INPUT_STEPS:
        step, action, text = _INPUT_STEPS[job.state]
        return Decision(step, action, text, needs_user=action.value.startswith("ask_"))
    if job.state is JobState.UPLOAD_VERIFIED:
        if job.kind is JobKind.PUBLISH:
            return Decision(Step.CREATE, Action.ASK_CREATE, "Create the model: stake and commission.",
                            needs_user=True)
        if chain.model is None:
            return Decision(Step.COMMIT, Action.RECONCILE, "Waiting for the model's state from the chain.")
        if not commit_allowed(job, chain):
            return Decision(Step.COMMIT, Action.FAILED, "Only an Active model owned by this account can be "
                            "updated; cancel this update.")
        return Decision(Step.COMMIT, Action.COMMIT, "Commit the new weights; reveal them next epoch.",
                        needs_user=True, deadline_epoch=None)
    if job.state in (JobState.CREATE_SENT, JobState.COMMIT_SENT, JobState.REVEAL_SENT):
        return Decision(_step_of(job.state), Action.RECONCILE,
                        "Sent; waiting for the chain to show the outcome.")
    if job.state is JobState.CREATED:
        last = last_commit_epoch(job.create_epoch or 0)
        if not commit_allowed(job, chain):
            return Decision(Step.COMMIT, Action.RECONCILE, "Waiting for the model's state from the chain.")
        return Decision(Step.COMMIT, Action.COMMIT, f"Commit before epoch {last} ends.", needs_user=True,
                        deadline_epoch=last)
    return _decide_committed(job, chain)


def _decide_committed(job: Job, chain: ChainView) -> Decision:
    if job.commit_epoch is None:
        return Decision(Step.WAIT, Action.RECONCILE, "Reading the commit epoch from the chain.")
    opens = reveal_epoch(job.commit_epoch)
    if chain.epoch < opens:
        return Decision(Step.WAIT, Action.WAIT_EPOCH, f"The reveal opens in epoch {opens}.",
                        opens_epoch=opens, deadline_epoch=opens)
    if reveal_allowed(job, chain):
        return Decision(Step.REVEAL, Action.REVEAL, f"Reveal now: only possible during epoch {opens}.",
                        needs_user=True, deadline_epoch=opens)
    return Decision(Step.REVEAL, Action.RECONCILE, "Waiting for the model's state from the chain.")


def _step_of(state: JobState) -> Step:
    return {JobState.CREATE_SENT: Step.CREATE, JobState.CREATED: Step.COMMIT, JobState.COMMIT_SENT: Step.COMMIT,
            JobState.COMMITTED: Step.WAIT, JobState.REVEAL_SENT: Step.REVEAL,
            JobState.UPLOAD_VERIFIED: Step.CREATE}.get(state, Step.VERIFY)


# --- gates and deadline helpers -----------------------------------------------------------------

def reveal_allowed(job: Job, chain: ChainView) -> bool:
    """The only gate for sending a reveal: committed, chain epoch == commit_epoch + 1, our commitment on chain."""
    if job.state is not JobState.COMMITTED or job.commit_epoch is None or chain.model is None:
        return False
    if chain.model.owner != job.address or chain.model.id != job.model_id:
        return False
    if not reveal_open(job.commit_epoch, chain.epoch):
        return False
    return _pending_ours(job, chain.model) == job.commit_epoch


def commit_allowed(job: Job, chain: ChainView) -> bool:
    m = chain.model
    if m is None or m.owner != job.address or m.id != job.model_id:
        return False
    if job.kind is JobKind.PUBLISH:
        return (job.state is JobState.CREATED and m.state is ModelState.CREATED
                and chain.epoch <= last_commit_epoch(m.create_epoch))
    return job.state is JobState.UPLOAD_VERIFIED and m.state is ModelState.ACTIVE


def reveal_due(job: Job, epoch: int) -> bool:
    """True while the job's reveal window is open (for the banner and the OS notification)."""
    return (job.state in (JobState.COMMITTED, JobState.REVEAL_SENT) and job.commit_epoch is not None
            and reveal_open(job.commit_epoch, epoch))


@dataclass(frozen=True)
class Deadline:
    kind: str                 # "commit", "reveal_opens" or "reveal"
    epoch: int                # the epoch the deadline refers to
    ends_ms: int | None       # estimated wall-clock time it passes (None: manual epochs)
    urgent: bool              # the window is open now
    text: str


def deadline(job: Job, chain: ChainView) -> Deadline | None:
    """The next chain deadline for a banner/countdown, or None if nothing is time-critical."""
    if job.state in (JobState.CREATED, JobState.COMMIT_SENT) and job.kind is JobKind.PUBLISH \
            and job.create_epoch is not None:
        last = last_commit_epoch(job.create_epoch)
        return Deadline("commit", last, chain.epoch_end_ms(last), chain.epoch >= last,
                        f"Commit by the end of epoch {last}, or 50 % of the stake is slashed.")
    if job.state in (JobState.COMMITTED, JobState.REVEAL_SENT) and job.commit_epoch is not None:
        opens = reveal_epoch(job.commit_epoch)
        penalty = ("50 % of the stake is slashed" if job.kind is JobKind.PUBLISH
                   else "the update is dropped (no penalty)")
        if chain.epoch < opens:
            start = chain.epoch_end_ms(opens - 1)
            return Deadline("reveal_opens", opens, start, False,
                            f"Reveal opens in epoch {opens}; if it is missed, {penalty}.")
        return Deadline("reveal", opens, chain.epoch_end_ms(opens), chain.epoch == opens,
                        f"Reveal now, before epoch {opens} ends; otherwise {penalty}.")
    return None
