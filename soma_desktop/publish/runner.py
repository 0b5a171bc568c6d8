"""Executes the wizard's side effects against a Network and the hosting layer, one step at a time.

Every step follows the same order: check the gate on fresh chain state -> write the new state to the journal
(fsynced) -> perform the side effect -> record its outcome. A crash between any two of these leaves a row that
`reconcile(after_restart=True)` maps back onto chain truth without repeating or losing an operation.
Blocking work (hashing, encryption, HTTP) runs in worker threads so the caller's event loop stays free.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from soma_desktop.core import crypto
from soma_desktop.core.amounts import format_soma
from soma_desktop.network.errors import (
    InvalidInput,
    NetworkError,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
)
from soma_desktop.network.types import CommitSpec, ModelInfo, SystemState
from soma_desktop.protocol import limits
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee, precheck_need
from soma_desktop.protocol.reveal import reveal_epoch, reveal_missed
from soma_desktop.publish import workflow
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import DownloadError, Limits, UrlPolicy, check_safetensors_prefix
from soma_desktop.publish.embedding import embedding_to_f32, f32_values
from soma_desktop.publish.journal import Job, JobKind, JobState, Journal
from soma_desktop.publish.keys import derive_weights_key
from soma_desktop.publish.presigned_put import upload_presigned
from soma_desktop.publish.verify import verify_hosted
from soma_desktop.publish.workflow import Action, ChainView, Decision

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
# Chain errors after which retrying the same commit can never succeed.
_FINAL_COMMIT_ERRORS = {"ModelNotFound", "NotModelOwner", "ModelInvalidState"}
_PRE_CREATE = (JobState.NEW, JobState.WEIGHTS_OK, JobState.EMBEDDING_OK, JobState.PREPARED, JobState.HOSTED,
               JobState.UPLOAD_VERIFIED)


_T = TypeVar("_T")


class PublishError(Exception):
    """A step was refused (gate, pre-check, bad input); the message is fit for the user."""


class MergeFirst(PublishError):
    """Nothing was sent: the balance covers the stake and fees, but not in a coin the network would pay from;
    merging the account's coins fixes it. The message says why."""


class RevealNotAllowed(PublishError):
    """The reveal gate is closed: wrong epoch, wrong state or the chain does not hold our commitment."""


def _known(value: _T | None, what: str) -> _T:
    """A job field that the journal sets at an earlier step; None means the job record is damaged."""
    if value is None:
        raise PublishError(f"this job has no {what} recorded; cancel it and start again")
    return value


class PublishRunner:
    """Drives publish/update jobs for one account on one network."""

    def __init__(self, journal: Journal, network: Any, signer: Any, *, work_dir: Path | str,
                 blob_server: BlobServer | None = None, url_policy: UrlPolicy | None = None,
                 verify_limits: Limits = Limits(), tx_timeout_s: float = 120.0, publish_root: bytes | None = None):
        self.journal, self.network, self.signer = journal, network, signer
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.blob_server = blob_server
        self.url_policy = url_policy or UrlPolicy(allow_loopback=bool(getattr(network, "is_sandbox", False)))
        self.verify_limits = verify_limits
        self.tx_timeout_s = tx_timeout_s
        self._publish_root = publish_root  # from the unlocked wallet: keys become recoverable from the seed

    @property
    def address(self) -> str:
        address: str = self.signer.address
        return address

    # --- jobs and chain views ---------------------------------------------------------------
    def start_publish(self) -> Job:
        return self.journal.create_job(network=self.network.name, address=self.address, kind=JobKind.PUBLISH)

    def start_update(self, model_id: str) -> Job:
        return self.journal.create_job(network=self.network.name, address=self.address, kind=JobKind.UPDATE,
                                       model_id=model_id)

    def jobs(self, include_terminal: bool = True) -> list[Job]:
        return self.journal.jobs(network=self.network.name, address=self.address,
                                 include_terminal=include_terminal)

    async def _model(self, model_id: str | None) -> ModelInfo | None:
        if not model_id:
            return None
        try:
            model: ModelInfo | None = await self.network.get_model(model_id)
            return model
        except (NetworkUnavailable, StatusUnknown):
            raise
        except (InvalidInput, TransactionFailed):
            return None

    async def chain_view(self, job: Job, state: SystemState | None = None) -> ChainView:
        state = state or await self.network.get_system_state()
        model = await self._model(job.model_id)
        owned: list[ModelInfo] = []
        if job.kind is JobKind.PUBLISH and job.model_id is None and job.sent_epoch is not None:
            owned = [m for m in await self.network.list_models() if m.owner == self.address]
        known = self.journal.known_model_ids()
        return ChainView.of(state, model, owned_models=owned, known_model_ids=known)

    async def decide(self, job_id: int) -> Decision:
        job = self.journal.get(job_id)
        return workflow.decide(job, await self.chain_view(job))

    # --- reconciliation ---------------------------------------------------------------------
    async def reconcile(self, job_id: int, *, after_restart: bool = False) -> Job:
        """Apply chain truth to the row until it is current (idempotent)."""
        job = self.journal.get(job_id)
        for _ in range(4):
            chain = await self.chain_view(job)
            step = workflow.reconcile(job, chain.model, chain, after_restart=after_restart)
            if step is None:
                break
            job = self.journal.transition(job.id, job.state, step.state, note=step.note, **step.changes)
        return job

    async def _settle(self, job_id: int) -> Job:
        """After an unknown outcome: look at the chain once; if it cannot be reached, keep the row as is."""
        try:
            return await self.reconcile(job_id)
        except NetworkError:
            return self.journal.get(job_id)

    async def resume_all(self) -> list[Job]:
        """At start-up: reconcile every unfinished job of this account; the sender of `*_SENT` is gone.

        A not-yet-committed job hosted on the built-in server is re-published if the server's address
        changed (it is verified again before anything is sent).
        """
        for partial in self.work_dir.glob("*.enc.partial"):  # encryption interrupted by a crash
            partial.unlink(missing_ok=True)
        out = []
        for job in self.jobs(include_terminal=False):
            job = await self.reconcile(job.id, after_restart=True)
            if (job.hosting == "local" and self.blob_server is not None and job.url
                    and job.state in (JobState.HOSTED, JobState.UPLOAD_VERIFIED)
                    and not job.url.startswith(self.blob_server.base_url + "/")):
                job = await self.host_local(job.id)
            out.append(job)
        return out

    async def retry_unknown(self, job_id: int) -> Job:
        """User asked to retry after an unknown outcome: only if the chain still shows no effect."""
        return await self.reconcile(job_id, after_restart=True)

    # --- wizard inputs ----------------------------------------------------------------------
    async def set_weights(self, job_id: int, path: Path | str, *, check: Callable[[Path], object] | None = None,
                          progress: Progress | None = None) -> Job:
        """Pre-check the file (architecture check supplied by the engine) and record its SHA-256."""
        path = Path(path)
        job = self.journal.get(job_id)
        if job.state not in (JobState.NEW, JobState.WEIGHTS_OK):
            raise PublishError("the weights can only be chosen at the first step")
        if not path.is_file():
            raise PublishError(f"weights file not found: {path}")
        size = path.stat().st_size
        with open(path, "rb") as handle:  # noqa: ASYNC230 - reads 9 bytes of a local file
            try:
                check_safetensors_prefix(handle.read(9), size)
            except Exception:  # noqa: BLE001 - any parse failure means "not safetensors"
                raise PublishError("the file is not a safetensors file") from None
        if check is not None:
            await asyncio.to_thread(check, path)
        digest = await asyncio.to_thread(_sha256_file, path, progress)
        return self.journal.transition(job_id, job.state, JobState.WEIGHTS_OK, weights_path=str(path.resolve()),
                                       weights_size=size, plain_sha256=digest)

    async def set_embedding(self, job_id: int, embedding: bytes | Sequence[float], dim: int | None = None) -> Job:
        job = self.journal.get(job_id)
        if job.state is not JobState.WEIGHTS_OK:
            raise PublishError("the embedding is set right after choosing the weights")
        if dim is None:
            dim = (await self.network.get_system_state()).target_embedding_dim
        raw = embedding_to_f32(embedding, dim)
        return self.journal.store_secrets(job_id, JobState.WEIGHTS_OK, JobState.EMBEDDING_OK,
                                          embedding_f32=raw, shape=(dim,))

    async def encrypt(self, job_id: int, *, progress: Progress | None = None,
                      cancelled: Cancelled | None = None) -> Job:
        """Fresh key -> streaming AES-256-CTR + Blake2b -> read the file back -> journal PREPARED."""
        job = self.journal.get(job_id)
        if job.state is not JobState.EMBEDDING_OK:
            raise PublishError("nothing to encrypt at this step")
        used = self.journal.used_key_commitments() | await self._revealed_keys()
        epoch = (await self.network.get_system_state()).epoch
        key, attempt = self._fresh_key(job, epoch, used)
        dst = self.work_dir / f"{job.op_id}.enc"
        source = Path(_known(job.weights_path, "weights file"))
        enc = await asyncio.to_thread(crypto.encrypt_file, source, dst, key, progress=progress, cancelled=cancelled)
        on_disk, size = await asyncio.to_thread(crypto.hash_file, dst)
        if (on_disk, size) != (enc.checksum, enc.size):
            dst.unlink(missing_ok=True)
            raise PublishError("the encrypted file read back from disk differs; check the disk and retry")
        return self.journal.store_secrets(job_id, JobState.EMBEDDING_OK, JobState.PREPARED, key=key,
                                          encrypted_path=str(dst), checksum=enc.checksum, size=enc.size,
                                          build_epoch=epoch, key_attempt=attempt)

    def _fresh_key(self, job: Job, epoch: int, used: set[bytes]) -> tuple[bytes, int | None]:
        """A key never used or revealed before: derived from the seed when available, else random."""
        if self._publish_root is None:
            key = crypto.new_weights_key()
            while crypto.key_commitment(key) in used:
                key = crypto.new_weights_key()
            return key, None
        for attempt in range(1024):
            key = derive_weights_key(self._publish_root, owner=self.address, build_epoch=epoch,
                                     plain_sha256=_known(job.plain_sha256, "weights hash"), attempt=attempt)
            if crypto.key_commitment(key) not in used:
                return key, attempt
        raise PublishError("no unused weights key left for this file in this epoch; retry next epoch")

    async def _revealed_keys(self) -> set[bytes]:
        """Key commitments of this owner's revealed models (a revealed key is public: never reuse it)."""
        try:
            models = await self.network.list_models()
        except NetworkError:
            return set()
        return {crypto.blake2b256(m.decryption_key) for m in models
                if m.owner == self.address and m.decryption_key}

    # --- hosting ------------------------------------------------------------------------------
    def _hostable(self, job_id: int) -> Job:
        job = self.journal.get(job_id)
        if job.state not in (JobState.PREPARED, JobState.HOSTED, JobState.UPLOAD_VERIFIED):
            raise PublishError("the hosting can only change before anything is sent to the chain")
        return job

    def _check_url(self, url: str) -> None:
        try:
            self.url_policy.check(url)
        except DownloadError as exc:
            raise PublishError(f"weights URL refused: {exc}") from None

    async def _set_url(self, job: Job, url: str, hosting: str) -> Job:
        self._check_url(url)
        if job.kind is JobKind.UPDATE:
            model = await self._model(job.model_id)
            if model is not None and model.manifest is not None and model.manifest.url == url:
                raise PublishError("an update needs a new URL; never overwrite the file behind a live URL")
        return self.journal.transition(job.id, job.state, JobState.HOSTED, url=url, hosting=hosting,
                                       verify_report=None, last_error=None)

    async def host_local(self, job_id: int) -> Job:
        if self.blob_server is None:
            raise PublishError("the built-in blob server is not running")
        job = self._hostable(job_id)
        name = f"{crypto.b58encode(_known(job.checksum, 'checksum'))}.bin"
        encrypted = Path(_known(job.encrypted_path, "encrypted file"))
        url = await asyncio.to_thread(self.blob_server.publish, encrypted, name)
        return await self._set_url(job, url, "local")

    async def host_presigned(self, job_id: int, put_url: str, public_url: str, *,
                             progress: Progress | None = None, cancelled: Cancelled | None = None,
                             **upload_options: Any) -> Job:
        job = self._hostable(job_id)
        self._check_url(public_url)
        encrypted = Path(_known(job.encrypted_path, "encrypted file"))
        await asyncio.to_thread(upload_presigned, encrypted, put_url, progress=progress, cancelled=cancelled,
                                **upload_options)
        return await self._set_url(job, public_url, "presigned")

    async def host_url(self, job_id: int, url: str) -> Job:
        """The user uploaded `encrypted_path` to their own hosting themselves."""
        return await self._set_url(self._hostable(job_id), url.strip(), "url")

    async def verify(self, job_id: int, *, progress: Progress | None = None,
                     cancelled: Cancelled | None = None) -> Job:
        job = self.journal.get(job_id)
        if job.state is not JobState.HOSTED:
            raise PublishError("there is no URL to verify")
        material = self.journal.load_material(job_id)
        report = await asyncio.to_thread(
            verify_hosted, _known(job.url, "URL"), size=_known(job.size, "size"),
            checksum=_known(job.checksum, "checksum"), key=material.key,
            plain_sha256=job.plain_sha256, policy=self.url_policy, limits=self.verify_limits, progress=progress,
            cancelled=cancelled)
        if not report.ok:
            return self.journal.transition(job_id, JobState.HOSTED, JobState.HOSTED, verify_report=report.to_json(),
                                           last_error="; ".join(report.problems), note="verification failed")
        return self.journal.transition(job_id, JobState.HOSTED, JobState.UPLOAD_VERIFIED,
                                       verify_report=report.to_json(), last_error=None)

    # --- chain transactions -----------------------------------------------------------------
    async def _send(self, call: Any) -> Any:
        try:
            return await asyncio.wait_for(call, self.tx_timeout_s)
        except TimeoutError:
            raise StatusUnknown("no answer from the network after sending") from None

    async def create(self, job_id: int, stake: int, commission: int) -> Job:
        job = self.journal.get(job_id)
        if job.kind is not JobKind.PUBLISH or job.state is not JobState.UPLOAD_VERIFIED:
            raise PublishError("the model can be created only after the URL is verified")
        state = await self.network.get_system_state()
        await self._check_create(state, stake, commission)
        job = await self.reconcile(job_id)  # a model from an earlier lost attempt is adopted, not re-created
        if job.state is not JobState.UPLOAD_VERIFIED:
            return job
        job = self.journal.transition(job_id, JobState.UPLOAD_VERIFIED, JobState.CREATE_SENT, stake=stake,
                                      commission=commission, sent_epoch=state.epoch,
                                      send_attempts=job.send_attempts + 1, last_error=None)
        try:
            tx = await self._send(self.network.create_model(self.signer, stake, commission))
        except StatusUnknown as exc:
            self.journal.transition(job_id, JobState.CREATE_SENT, JobState.CREATE_SENT, last_error=str(exc))
            return await self._settle(job_id)
        except (TransactionFailed, NetworkUnavailable, InvalidInput) as exc:
            job = self.journal.transition(job_id, JobState.CREATE_SENT, JobState.UPLOAD_VERIFIED, sent_epoch=None,
                                          last_error=_describe(exc), note="create failed")
            if isinstance(exc, InvalidInput) and exc.field == "merge_first":    # refused before sending
                raise MergeFirst(str(exc)) from None
            return job
        # Record the id first: the model exists now, whatever happens to the next read.
        job = self.journal.transition(job_id, JobState.CREATE_SENT, JobState.CREATED, model_id=tx.model_id,
                                      create_epoch=tx.epoch if tx.epoch is not None else state.epoch)
        try:
            model = await self._model(tx.model_id)
        except NetworkError:
            return job
        if model is not None and model.create_epoch != job.create_epoch:
            job = self.journal.transition(job_id, JobState.CREATED, JobState.CREATED, create_epoch=model.create_epoch,
                                          note="create epoch read from chain")
        return job

    async def _check_create(self, state: SystemState, stake: int, commission: int) -> None:
        """The chain's CreateModel checks before sending: stake, commission, and the gas coin pre-check."""
        if isinstance(stake, bool) or not isinstance(stake, int) or not limits.model_stake_ok(stake,
                                                                                            state.model_min_stake):
            raise PublishError(f"the stake must be at least {state.model_min_stake} shannons")
        if isinstance(commission, bool) or not isinstance(commission, int) or not limits.commission_ok(commission):
            raise PublishError("the commission must be between 0 and 10000 bps")
        params = FeeParams.from_state(state)
        fees = estimate_fee(ChainTx.CREATE_MODEL, params, stake).total     # half value fee on the stake
        coins = await self.network.list_coins(self.address)
        richest = max((c.balance for c in coins), default=0)
        need = params.base_fee + precheck_need(ChainTx.CREATE_MODEL, stake, params)
        if richest < need:
            balances = sorted(c.balance for c in coins)
            merged = (sum(balances[1:]) - estimate_fee(ChainTx.MERGE_COINS, params, balances[0]).total
                      if len(balances) > 1 else 0)
            if merged >= need:                            # the SDK's merge keeps the smallest coin apart
                raise MergeFirst(f"no single coin covers the stake plus fees ({format_soma(need)}; the largest "
                                 f"holds {format_soma(richest)}); merging the coins makes one of "
                                 f"{format_soma(merged)}")
            raise PublishError("no single coin covers the stake plus fees; merge coins or add funds first")
        if sum(c.balance for c in coins) - stake - fees < _tx_reserve(state):
            raise PublishError("after the stake, too little is left for the commit and reveal fees")

    async def _check_reveal_reserve(self) -> None:
        """Committing without funds for the reveal fee would end in a slash (security.md §4.2 gate 2)."""
        state = await self.network.get_system_state()
        if await self.network.get_balance(self.address) < _tx_reserve(state):
            raise PublishError("the account cannot pay the commit and reveal fees; add funds first")

    async def commit(self, job_id: int) -> Job:
        job = await self.reconcile(job_id)
        chain = await self.chain_view(job)
        if not workflow.commit_allowed(job, chain):
            raise PublishError("committing is not possible now (model state or create window)")
        await self._check_reveal_reserve()
        material = self.journal.load_material(job_id)  # read back from disk and checked against commitments
        if not job.verify_report or not json.loads(job.verify_report).get("ok"):
            raise PublishError("the weights URL has not been verified")
        spec = CommitSpec(model_id=_known(job.model_id, "model id"), manifest=_known(job.manifest, "manifest"),
                          encrypted_path=_known(job.encrypted_path, "encrypted file"),
                          decryption_key=material.key, embedding_f32=material.embedding_f32)
        before = job.state
        self.journal.transition(job_id, before, JobState.COMMIT_SENT, sent_epoch=chain.epoch,
                                send_attempts=job.send_attempts + 1, last_error=None)
        try:
            await self._send(self.network.commit_model(self.signer, spec))
        except StatusUnknown as exc:
            self.journal.transition(job_id, JobState.COMMIT_SENT, JobState.COMMIT_SENT, last_error=str(exc))
            return await self._settle(job_id)
        except TransactionFailed as exc:
            after = JobState.COMMIT_NOT_EXECUTED if exc.error_name in _FINAL_COMMIT_ERRORS else before
            return self.journal.transition(job_id, JobState.COMMIT_SENT, after, last_error=_describe(exc),
                                           note="commit failed")
        except (NetworkUnavailable, InvalidInput) as exc:
            return self.journal.transition(job_id, JobState.COMMIT_SENT, before, last_error=_describe(exc),
                                           note="commit not sent")
        return await self._settle(job_id)

    async def reveal(self, job_id: int) -> Job:
        job = await self.reconcile(job_id)
        chain = await self.chain_view(job)
        if not workflow.reveal_allowed(job, chain):
            raise RevealNotAllowed(_reveal_refusal(job, chain))
        material = self.journal.load_material(job_id)
        self.journal.transition(job_id, JobState.COMMITTED, JobState.REVEAL_SENT, sent_epoch=chain.epoch,
                                send_attempts=job.send_attempts + 1, last_error=None)
        try:
            await self._send(self.network.reveal_model(self.signer, job.model_id, material.key,
                                                        f32_values(material.embedding_f32)))
        except StatusUnknown as exc:
            self.journal.transition(job_id, JobState.REVEAL_SENT, JobState.REVEAL_SENT, last_error=str(exc))
            return await self._settle(job_id)
        except (TransactionFailed, NetworkUnavailable, InvalidInput) as exc:
            self.journal.transition(job_id, JobState.REVEAL_SENT, JobState.COMMITTED, last_error=_describe(exc),
                                    note="reveal failed")
        return await self._settle(job_id)

    async def cancel(self, job_id: int) -> Job:
        job = self.journal.get(job_id)
        if job.state not in _PRE_CREATE:
            raise PublishError("this job already reached the chain and cannot be cancelled")
        if job.encrypted_path:
            Path(job.encrypted_path).unlink(missing_ok=True)  # noqa: ASYNC240 - unlinks one local file
        return self.journal.clear_secrets(job_id, job.state, JobState.CANCELLED)

    async def back(self, job_id: int) -> Job:
        """Wizard Back button, allowed until something is sent. A discarded key is never used again."""
        job = self.journal.get(job_id)
        previous = {JobState.WEIGHTS_OK: JobState.NEW, JobState.EMBEDDING_OK: JobState.WEIGHTS_OK,
                    JobState.PREPARED: JobState.EMBEDDING_OK, JobState.HOSTED: JobState.PREPARED,
                    JobState.UPLOAD_VERIFIED: JobState.PREPARED}.get(job.state)
        if previous is None:
            raise PublishError("there is no step to go back to")
        changes: dict[str, Any] = {"last_error": None}
        if previous is JobState.WEIGHTS_OK:
            changes.update(embedding_ct=None, embedding_shape=None, embedding_commitment=None, embedding_dim=None)
        if previous is JobState.EMBEDDING_OK:
            if job.encrypted_path:
                Path(job.encrypted_path).unlink(missing_ok=True)  # noqa: ASYNC240 - unlinks one local file
            changes.update(key_ct=None, key_commitment=None, encrypted_path=None, checksum=None, size=None)
        if previous is JobState.PREPARED:
            changes.update(url=None, hosting=None, verify_report=None)
        return self.journal.transition(job_id, job.state, previous, note="back", **changes)

    # --- driving -------------------------------------------------------------------------------
    async def advance(self, job_id: int, *, confirm: bool = False, progress: Progress | None = None,
                      cancelled: Cancelled | None = None) -> Decision:
        """Do the next automatic step (encrypt, verify, reconcile; commit/reveal only with `confirm`)."""
        decision = await self.decide(job_id)
        if decision.action is Action.ENCRYPT:
            await self.encrypt(job_id, progress=progress, cancelled=cancelled)
        elif decision.action is Action.VERIFY:
            await self.verify(job_id, progress=progress, cancelled=cancelled)
        elif decision.action is Action.RECONCILE:
            await self.reconcile(job_id)
        elif decision.action is Action.COMMIT and confirm:
            await self.commit(job_id)
        elif decision.action is Action.REVEAL and confirm:
            await self.reveal(job_id)
        else:
            return decision
        return await self.decide(job_id)

    async def run(self, job_id: int, *, confirm: bool = False, max_steps: int = 16) -> Decision:
        """Advance until the job needs the user, waits for an epoch, or stops changing."""
        decision = await self.decide(job_id)
        for _ in range(max_steps):
            before = self.journal.get(job_id)
            decision = await self.advance(job_id, confirm=confirm)
            if self.journal.get(job_id) == before:
                break
        return decision


def _tx_reserve(state: SystemState) -> int:
    """Commit + reveal fees, twice the estimate (fees can rise at an epoch boundary)."""
    params = FeeParams.from_state(state)
    return 2 * (estimate_fee(ChainTx.COMMIT_MODEL, params).total + estimate_fee(ChainTx.REVEAL_MODEL, params).total)


def _describe(exc: Exception) -> str:
    name = getattr(exc, "error_name", None)
    text = str(exc)
    return f"{name}: {text}" if name and name not in text else text


def _reveal_refusal(job: Job, chain: ChainView) -> str:
    if job.state is not JobState.COMMITTED or job.commit_epoch is None:
        return "there is no committed model waiting for a reveal"
    opens = reveal_epoch(job.commit_epoch)
    if chain.epoch < opens:
        return f"the reveal opens in epoch {opens} (now {chain.epoch})"
    if reveal_missed(job.commit_epoch, chain.epoch):
        return f"the reveal window (epoch {opens}) has passed"
    return "the chain does not show this job's commitment"


def _sha256_file(path: Path, progress: Progress | None) -> bytes:
    hasher, done, total = hashlib.sha256(), 0, os.stat(path).st_size
    with open(path, "rb") as handle:
        while chunk := handle.read(crypto.STREAM_CHUNK):
            hasher.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return hasher.digest()

