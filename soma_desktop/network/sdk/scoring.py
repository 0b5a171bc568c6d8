"""Inputs and result of remote scoring through a SOMA scoring service (`soma start scoring`, sdk.md §2.4)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from soma_desktop.core.crypto import b58decode, b58encode
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk.decode import get
from soma_desktop.network.types import Manifest

MAX_SCORING_MODELS = 64


@dataclass(frozen=True)
class WeightsManifest:
    """Where a model's encrypted weights live and the revealed key to decrypt them."""

    manifest: Manifest
    decryption_key: bytes
    model_id: str | None = None


@dataclass(frozen=True)
class RemoteScore:
    """What the scoring service returns: only the winner's loss and distance (scoring.md §4.5)."""

    winner: int                       # index into the manifests as passed
    winner_model_id: str | None
    loss: float
    embedding: tuple[float, ...]
    distance: float


def sdk_manifests(manifests: Sequence[WeightsManifest]) -> list[SimpleNamespace]:
    """Validated manifests in the shape soma-sdk's score() reads. A malformed key would panic the service."""
    if not manifests:
        raise InvalidInput("Choose at least one model to score", field="models")
    if len(manifests) > MAX_SCORING_MODELS:
        raise InvalidInput(f"At most {MAX_SCORING_MODELS} models per scoring request", field="models")
    out = []
    for item in manifests:
        if len(item.decryption_key) != 32:
            raise InvalidInput("A model without a revealed 32-byte key cannot be scored", field="models")
        if len(item.manifest.checksum) != 32 or item.manifest.size <= 0:
            raise InvalidInput("A model manifest has no valid checksum or size", field="models")
        out.append(SimpleNamespace(url=item.manifest.url, checksum=b58encode(item.manifest.checksum),
                                   size=item.manifest.size, decryption_key=b58encode(item.decryption_key)))
    return out


def checksum_text(data_checksum: bytes | str) -> str:
    """Base58 text of a 32-byte Blake2b-256 checksum given as bytes or Base58."""
    try:
        raw = b58decode(data_checksum) if isinstance(data_checksum, str) else bytes(data_checksum)
    except ValueError:
        raise InvalidInput("The data checksum is not valid Base58", field="data_checksum") from None
    if len(raw) != 32:
        raise InvalidInput("The data checksum must be 32 bytes (Blake2b-256)", field="data_checksum")
    return b58encode(raw)


def embedding_list(values: Sequence[float]) -> list[float]:
    out = [float(v) for v in values]
    if not out or not all(math.isfinite(v) for v in out):
        raise InvalidInput("The target embedding must be a non-empty list of finite numbers", field="embedding")
    return out


def remote_score(result: Any, manifests: Sequence[WeightsManifest]) -> RemoteScore:
    winner = int(get(result, "winner"))
    losses, distances = list(get(result, "loss_score")), list(get(result, "distance"))
    if not 0 <= winner < len(manifests) or not losses or not distances:
        raise ValueError("scoring service returned an inconsistent result")
    return RemoteScore(winner=winner, winner_model_id=manifests[winner].model_id, loss=float(losses[0]),
                       embedding=tuple(float(v) for v in get(result, "embedding")), distance=float(distances[0]))
