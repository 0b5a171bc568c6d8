"""Remote scoring: one file and registry models scored by the network's SOMA scoring service.

For jobs that outgrow this machine (full-size models, no GPU): the service (`soma start scoring`, reached
through soma-sdk's `score()`) downloads the data from a URL and the models from their manifests, and returns
the winner, its loss, the data embedding and the distance to a target. Per-byte detail stays local.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from soma_desktop.core import crypto
from soma_desktop.network.base import Network
from soma_desktop.network.sdk.scoring import RemoteScore, WeightsManifest
from soma_desktop.network.types import ModelInfo, ModelState, Target, TargetStatus
from soma_desktop.protocol.limits import MAX_DATA_SIZE
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.services.models import ModelsService

MAX_TARGETS = 100


@runtime_checkable
class ScoringNetwork(Protocol):
    """A network with a scoring service (soma-sdk networks configured with a scoring URL)."""

    has_scoring: bool

    async def weights_manifests(self, model_ids: Sequence[str]) -> list[WeightsManifest]: ...

    async def score_remote(self, data_url: str, manifests: Sequence[WeightsManifest],
                           target_embedding: Sequence[float], data_checksum: bytes | str,
                           data_size: int) -> RemoteScore: ...


def supports_remote_scoring(network: Network | None) -> bool:
    return isinstance(network, ScoringNetwork) and network.has_scoring


def read_and_hash(path: Path) -> tuple[bytes, int]:
    """Blake2b-256 and size of a data file within the network's limit. Blocks (file I/O)."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("The file is empty: there is nothing to score")
    if size > MAX_DATA_SIZE:
        raise ValueError("The file is larger than the network's 1 MiB submission limit")
    return crypto.hash_file(path)


class RemoteScoring:
    """One file sent for scoring; `close()` stops the built-in data server if one was started for it."""

    def __init__(self, network: Network | None, models: ModelsService, data_path: Path, server_dir: Path):
        self.network, self.data_path = network, data_path
        self.network_name = network.name if network is not None else "the network"
        self._models, self._server_dir = models, server_dir
        self._server: BlobServer | None = None
        self._lock = threading.Lock()

    async def choices(self) -> tuple[list[ModelInfo], list[Target]]:
        """The active models with published weights, and the open targets."""
        models = [m for m in await self._models.registry()
                  if m.state == ModelState.ACTIVE and m.manifest is not None]
        page = await self._models.targets_page(TargetStatus.OPEN, None, MAX_TARGETS)
        return models, page.targets

    async def score(self, model_ids: list[str], target: Target, url: str | None) -> RemoteScore:
        """Score the file at `url` (None: serve it from this computer) with `model_ids` against `target`."""
        network = self.network
        if not isinstance(network, ScoringNetwork) or not network.has_scoring:
            raise ValueError("This network has no scoring service")
        checksum, size = await asyncio.to_thread(read_and_hash, self.data_path)
        if url is None:
            url = await asyncio.to_thread(self._serve_locally, checksum)
        manifests = await network.weights_manifests(model_ids)
        return await network.score_remote(url, manifests, target.embedding, checksum, size)

    def close(self) -> None:
        """Blocks briefly (the server's thread joins): call it off the GUI thread."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    def _serve_locally(self, checksum: bytes) -> str:
        with self._lock:
            if self._server is None:
                self._server = BlobServer(self._server_dir).start()
            return self._server.publish(self.data_path, f"{checksum.hex()}.bin")
