"""EvaluateService: everything the Evaluate panel asks of the evaluation worker and the chain, Qt-free.

Runs (`run` → an EvalRun streaming to plain callbacks), hover probes, the matmul speed measured once (fast
mode's gain and the ETA before the first chunk), the model catalogue, submission planning and sending, the
built-in data server, and remote scoring. Blocking work runs on threads: async methods are for the UI's bridge.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from soma_desktop.engine.budget import resolve_budget
from soma_desktop.engine.results import BytePrediction
from soma_desktop.evalworker import MatmulSpeed, ProbeRequest, SpeedRequest, WorkerClient, shared_client
from soma_desktop.network.base import Signer
from soma_desktop.network.types import ModelInfo, SystemState, Target
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import UrlPolicy
from soma_desktop.services import submit as submitting
from soma_desktop.services.chain_cache import ChainCache
from soma_desktop.services.evaluate import catalog
from soma_desktop.services.evaluate.jobs import EvalJob, ModelChoice
from soma_desktop.services.evaluate.remote import RemoteScoring, supports_remote_scoring
from soma_desktop.services.evaluate.run import EvalRun, RunListener
from soma_desktop.services.models import ModelsService
from soma_desktop.services.submit import Hosting, SubmitPlan, Submitted
from soma_desktop.services.wallet import WalletService

PROBE_TIMEOUT_S = 120.0
SPEED_TIMEOUT_S = 300.0
SUBMISSIONS_DIR = "submissions"
REMOTE_SCORING_DIR = "remote-scoring"


class EvaluateService:
    def __init__(self, cache: ChainCache, wallet: WalletService, models: ModelsService, data_dir: Path,
                 client: Callable[[], WorkerClient] = shared_client):
        self.cache, self.wallet, self.models, self.data_dir = cache, wallet, models, data_dir
        self._client = client
        self._speed: MatmulSpeed | None = None
        self._speed_lock = threading.Lock()
        self._hosting: BlobServer | None = None
        self._hosting_lock = threading.Lock()

    # ---- the worker ----------------------------------------------------------------------------
    def run(self, job: EvalJob, listener: RunListener) -> EvalRun:
        """A run of `job` reporting to `listener`; call `start()` on it."""
        return EvalRun(job, listener, self._client)

    def warm_up(self, memory_budget: int = 0) -> None:
        """Spawn the worker ahead of the first run (it imports torch there while the user sets up), under the
        memory budget the run will ask for (bytes; 0: automatic), so Run does not have to restart it."""
        client = self._client()
        client.set_budget(resolve_budget(memory_budget))
        threading.Thread(target=client.start, name="soma-worker-spawn", daemon=True).start()

    async def probe(self, weights: str, device: str, data: bytes, offset: int, k: int = 5) -> BytePrediction:
        """The model's top-k predictions for the byte at `offset`, computed by the worker between two chunks
        of a run if one is in progress."""
        request = ProbeRequest(weights, data, offset, device, k)
        prediction: BytePrediction = await asyncio.to_thread(self._client().call, request, timeout=PROBE_TIMEOUT_S)
        return prediction

    async def matmul_speed(self) -> MatmulSpeed:
        """This CPU's f32/bf16 matmul speed, measured once by the worker."""
        return await asyncio.to_thread(self._measure_speed)

    def cached_matmul_speed(self) -> MatmulSpeed | None:
        """The speed measured earlier, or None (never blocks): the ETA's input before the first chunk."""
        return self._speed

    def _measure_speed(self) -> MatmulSpeed:
        with self._speed_lock:
            if self._speed is None:
                self._speed = self._client().call(SpeedRequest(), timeout=SPEED_TIMEOUT_S)
            return self._speed

    # ---- which models ----------------------------------------------------------------------------
    async def demo_models(self) -> tuple[list[ModelChoice], str]:
        return await asyncio.to_thread(catalog.demo_choices)

    async def describe_weights(self, paths: list[Path]) -> list[tuple[Path, str, str]]:
        """(path, 'D 128 · 4 layers · 8 heads', problem) per local file, from the headers alone."""
        return await asyncio.to_thread(catalog.describe_all, paths)

    def registry_choice(self, info: ModelInfo, allow_loopback: bool) -> tuple[ModelChoice | None, str]:
        return catalog.registry_choice(info, self.data_dir, allow_loopback)

    # ---- what the open network offers ------------------------------------------------------------
    def can_submit_data(self) -> bool:
        network = self.cache.network
        return network is not None and network.can_submit_data

    def can_score_remotely(self) -> bool:
        return supports_remote_scoring(self.cache.network)

    def remote_scoring(self, data_path: Path) -> RemoteScoring:
        return RemoteScoring(self.cache.network, self.models, Path(data_path), self.data_dir / REMOTE_SCORING_DIR)

    # ---- submitting ------------------------------------------------------------------------------
    async def plan_submission(self, target: Target, model_id: str, data_path: Path, data: bytes,
                              embedding: Sequence[float], loss: float | None,
                              state: SystemState | None) -> SubmitPlan:
        """What the submission costs, or CannotSubmit (it hashes the data: on a thread)."""
        return await asyncio.to_thread(submitting.plan_submission, target, model_id, data_path, data, embedding,
                                       loss, state)

    async def submit(self, signer: Signer, plan: SubmitPlan, hosting: Hosting | None = None, *,
                     url: str | None = None, put_url: str | None = None) -> Submitted:
        """Host (the built-in server when `hosting` is None and no URL is given), read back, then SubmitData."""
        if hosting is None:
            hosting = Hosting(url=url, put_url=put_url) if url else await asyncio.to_thread(self.local_hosting)
        return await submitting.submit(self.cache.require_network(), self.wallet, signer, plan, hosting)

    def local_hosting(self) -> Hosting:
        """Blocks: the built-in server, started once and kept so validators can fetch the data."""
        with self._hosting_lock:
            if self._hosting is None:
                self._hosting = BlobServer(self.data_dir / SUBMISSIONS_DIR).start()
            return Hosting(blob_server=self._hosting, policy=UrlPolicy(allow_loopback=True))

    def stop_hosting(self) -> None:
        with self._hosting_lock:
            server, self._hosting = self._hosting, None
        if server is not None:
            server.stop()


def allows_loopback(is_sandbox: bool, network_key: str | None) -> bool:
    """Sandbox and localnet validators run on this computer: the built-in server's loopback URLs reach them."""
    return is_sandbox or network_key == "localnet"
