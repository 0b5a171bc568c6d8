"""Checks before SubmitData through soma-sdk: the bytes match their manifest, the target accepts them.

python-sdk `submit_data(signer, target_id, data, data_url, model_id, embedding, distance_score, loss_score)`
(python-sdk/src/lib.rs L1383-1430 in soma-org/soma) hashes `data` into the manifest's checksum and size; the bond
coin is chosen inside the SDK. Everything here raises InvalidInput: nothing is sent.
"""

from __future__ import annotations

import math
from pathlib import Path

from soma_desktop.core import crypto
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.types import SubmitSpec, Target, TargetStatus
from soma_desktop.protocol.distance import would_hit
from soma_desktop.protocol.limits import MAX_DATA_SIZE

MAX_SUBMISSION_BYTES = MAX_DATA_SIZE       # protocol v5 max_submission_data_size, defined once in protocol/


def read_submission(spec: SubmitSpec) -> bytes:
    """The submitted bytes from `spec.data_path`, checked against the manifest (size first, then Blake2b-256)."""
    if not spec.data_path:
        raise InvalidInput("Choose the data file to submit", field="data_path")
    path = Path(spec.data_path)
    if not path.is_file():
        raise InvalidInput(f"{path.name} is not a readable file", field="data_path")
    size = spec.data_manifest.size
    if not 0 < size <= MAX_SUBMISSION_BYTES:
        raise InvalidInput(f"Submitted data must be 1 byte to 1 MiB; the manifest says {size} bytes",
                           field="data_path")
    with path.open("rb") as handle:
        data = handle.read(MAX_SUBMISSION_BYTES + 1)
    if len(data) != size:
        raise InvalidInput(f"{path.name} has {len(data)} bytes, the manifest {size}", field="data_path")
    if crypto.blake2b256(data) != spec.data_manifest.checksum:
        raise InvalidInput(f"{path.name} does not match the manifest's checksum", field="data_path")
    return data


def check_submission(spec: SubmitSpec, target: Target, model_id: str) -> None:
    """What the chain would reject (and charge the fee for) decided from the target we just read."""
    if target.status is not TargetStatus.OPEN:
        raise InvalidInput(f"The target is {target.status.value}; only open targets accept data", field="target_id")
    if model_id not in target.model_ids:
        raise InvalidInput("That model is not assigned to this target", field="model_id")
    if len(spec.embedding) != len(target.embedding):
        raise InvalidInput(f"The embedding has {len(spec.embedding)} values; the target has "
                           f"{len(target.embedding)}", field="embedding")
    if not all(math.isfinite(v) for v in (*spec.embedding, spec.distance_score, *spec.loss_score)):
        raise InvalidInput("Embedding, distance and loss must be finite numbers", field="embedding")
    if not spec.loss_score:
        raise InvalidInput("The loss score is missing", field="loss_score")
    if not would_hit(spec.distance_score, target.distance_threshold):     # the chain compares f32 values
        raise InvalidInput(f"The distance {spec.distance_score:.6f} is above the target's threshold "
                           f"{target.distance_threshold:.6f}: the network would reject it and keep the fee",
                           field="distance_score")
