"""Submit an evaluated file to a target it would hit: plan (what it costs), host, then SubmitData.

Qt-free. `plan_submission` decides from the evaluation result and the SystemState already read whether the
submission can be accepted and what it costs (bond per byte, fee from protocol.fees); `submit` hosts the exact
evaluated bytes like weights (built-in server on sandbox/localnet, a pre-signed PUT or a URL the user hosts),
reads them back, and sends SubmitData through the wallet service so the history shows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from soma_desktop.core import crypto
from soma_desktop.network.base import Network, Signer
from soma_desktop.network.sdk.submission import MAX_SUBMISSION_BYTES
from soma_desktop.network.types import Manifest, SubmitSpec, SystemState, Target, TargetStatus
from soma_desktop.protocol.distance import cosine_distance, would_hit
from soma_desktop.protocol.fees import ChainTx, Fee, FeeParams, estimate_fee, submit_writes
from soma_desktop.protocol.targets import can_fund, submission_bond
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import UrlPolicy
from soma_desktop.publish.submission import SubmissionHostingError, host_submission
from soma_desktop.services.chain_cache import Touch, coins_key
from soma_desktop.services.wallet import WalletService
from soma_desktop.wallet.history import TxKind, TxRecord


class CannotSubmit(ValueError):
    """The evaluation cannot be submitted to that target; the message says why in plain words."""


@dataclass(frozen=True)
class SubmitPlan:
    """What will be sent and what it costs (shannons)."""

    target: Target
    model_id: str
    data_path: Path
    checksum: bytes                 # Blake2b-256 of the evaluated bytes
    size: int
    embedding: tuple[float, ...]    # the model's data embedding, f32 values
    distance: float                 # f32 cosine distance to the target (what the chain compares)
    loss: tuple[float, ...]
    bond: int
    fee: Fee

    @property
    def total(self) -> int:
        return self.bond + self.fee.total

    def spec(self, manifest: Manifest) -> SubmitSpec:
        return SubmitSpec(self.target.id, manifest, self.model_id, self.embedding, self.distance, self.loss,
                          data_path=str(self.data_path))


@dataclass(frozen=True)
class Hosting:
    """Where validators will download the data: the built-in server, or a URL (optionally a pre-signed PUT)."""

    blob_server: BlobServer | None = None
    url: str | None = None
    put_url: str | None = None
    policy: UrlPolicy = UrlPolicy()


@dataclass(frozen=True)
class Submitted:
    record: TxRecord
    digest: str
    bond: int
    fee: int
    url: str


def submit_fee(state: SystemState | None) -> Fee:
    """SubmitData writes a replacement target when the epoch's budget funds one (sandbox targets.py, §5.6)."""
    if state is None:
        return estimate_fee(ChainTx.SUBMIT_DATA, FeeParams(), writes=submit_writes(True))
    params = FeeParams(state.base_fee, state.write_object_fee, state.value_fee_bps)
    spawns = can_fund(state.emission_balance, state.targets_generated_this_epoch, state.reward_per_target)
    return estimate_fee(ChainTx.SUBMIT_DATA, params, writes=submit_writes(spawns))


def plan_submission(target: Target, model_id: str, data_path: Path, data: bytes, embedding: Sequence[float],
                    loss: float | None, state: SystemState | None) -> SubmitPlan:
    """Check what the chain would reject (and keep the fee for) before anything is hosted or signed."""
    if target.status is not TargetStatus.OPEN:
        raise CannotSubmit(f"The target is {target.status.value}; only open targets accept data.")
    if model_id not in target.model_ids:
        raise CannotSubmit("That model is not assigned to this target.")
    if not 0 < len(data) <= MAX_SUBMISSION_BYTES:
        raise CannotSubmit("Only files of 1 byte to 1 MiB can be submitted.")
    if loss is None or not np.isfinite(loss):
        raise CannotSubmit("The evaluation has no final loss for that model yet.")
    values = np.asarray(embedding, dtype=np.float32)
    if values.shape[0] != len(target.embedding):
        raise CannotSubmit(f"The data embedding has {values.shape[0]} values; the target has "
                           f"{len(target.embedding)}.")
    distance = float(np.float32(cosine_distance(values, np.asarray(target.embedding, dtype=np.float32))))
    if not would_hit(distance, target.distance_threshold):
        raise CannotSubmit(f"The distance {distance:.6f} is above the target's threshold "
                           f"{target.distance_threshold:.6f}.")
    return SubmitPlan(target, model_id, Path(data_path), crypto.blake2b256(data), len(data),
                      tuple(float(v) for v in values), distance, (float(np.float32(loss)),),
                      submission_bond(len(data)), submit_fee(state))


async def submit(network: Network, wallet: WalletService, signer: Signer, plan: SubmitPlan,
                 hosting: Hosting) -> Submitted:
    """Host and read back the exact evaluated bytes, then send SubmitData (recorded in the history)."""
    manifest = await asyncio.to_thread(host_submission, plan.data_path, blob_server=hosting.blob_server,
                                       url=hosting.url, put_url=hosting.put_url, policy=hosting.policy)
    if manifest.checksum != plan.checksum or manifest.size != plan.size:
        raise SubmissionHostingError(f"{plan.data_path.name} changed since it was evaluated; evaluate it again.")
    spec = plan.spec(manifest)
    outcome = await wallet.submit(TxKind.SUBMIT_DATA, signer.address, plan.bond, plan.target.id,
                                  lambda: network.submit_data(signer, spec), Touch.of(coins_key(signer.address)))
    return Submitted(outcome.record, outcome.result.digest, plan.bond, outcome.result.fee, manifest.url)
