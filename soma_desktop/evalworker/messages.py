"""What the GUI (or the CLI) and the evaluation worker process say to each other.

Everything here is picklable and torch-free: requests carry plain data (bytes, paths, numbers) and replies
carry numpy arrays and the engine's torch-free result types (engine/results.py), so the receiving process
never imports torch. No request carries a wallet secret; registry weights are decrypted before a job is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias


@dataclass(frozen=True)
class EvalRequest:
    """Score every file with every model (model by model, chunk by chunk), like `soma-desktop eval`."""

    files: tuple[bytes, ...]
    weights: tuple[str, ...]
    labels: tuple[str, ...] = ()           # names for messages; the weights file names when empty
    precision: str = "exact"
    device: str = "auto"
    threads: int = 0                       # 0: the worker's default (all cores but one)
    seed: int = 0
    num_heads: int | None = None
    target_embedding: tuple[float, ...] | None = None

    def label(self, index: int) -> str:
        if index < len(self.labels) and self.labels[index]:
            return self.labels[index]
        return self.weights[index].replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ProbeRequest:
    """Top-k predictions of one model for the byte at `offset` of `data` (the hover readout)."""

    weights: str
    data: bytes
    offset: int
    device: str = "auto"
    k: int = 5


@dataclass(frozen=True)
class EmbedRequest:
    """The registration embedding of a model on a corpus folder (publish wizard), progress by file."""

    weights: str
    folder: str
    dim: int
    precision: str = "exact"


@dataclass(frozen=True)
class SpeedRequest:
    """Measure this CPU's fp32 and bf16 matmul throughput once (cached in the worker)."""


@dataclass(frozen=True)
class Cancel:
    request_id: int


Request: TypeAlias = EvalRequest | ProbeRequest | EmbedRequest | SpeedRequest
# What the worker's inbox carries: a request with its id ((0, None): stop serving) or a Cancel.
InboxItem: TypeAlias = tuple[int, Request | None]
InboxMessage: TypeAlias = InboxItem | Cancel


@dataclass(frozen=True)
class Reply:
    """kind: 'ready' (pid, limits; request id 0) · 'stage' (text) · 'plan' ([FLOPs per chunk of each model]) ·
    'chunks' (file index, [ChunkProgress], compute seconds, flops) · 'file'
    (file index, EvalResult) · 'progress' (done, total, text) · 'result' (value) · 'end' (outcome, message)
    with outcome 'done' | 'cancelled' | 'failed'. 'end' is always the last reply of a request."""

    kind: str
    request_id: int
    payload: tuple[Any, ...] = field(default_factory=tuple)   # its shape depends on `kind` (above)


@dataclass(frozen=True)
class MatmulSpeed:
    fp32_flops: float        # FLOP/s of a plain f32 matmul
    bf16_flops: float        # FLOP/s of the same matmul in bf16

    @property
    def bf16_gain(self) -> float:
        return self.bf16_flops / self.fp32_flops if self.fp32_flops > 0 else 1.0

    def describe_fast_mode(self) -> str:
        gain = self.bf16_gain
        if gain < 1.15:
            return "no faster on this CPU"
        return f"about {gain:.1f}× faster here"
