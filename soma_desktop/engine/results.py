"""Torch-free results of the engine: what a scoring run yields and returns.

These travel between the evaluation worker process and the GUI (pickled by multiprocessing), so the GUI
can unpickle them without importing torch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from soma_desktop.engine.errors import EngineError
from soma_desktop.protocol.distance import EmbeddingLengthMismatch, cosine_distance


@dataclass(frozen=True)
class ChunkProgress:
    """One chunk of one model done. `nll[i]` is the NLL (nats) of the byte at offset `offset + i`
    (offset == size means EOS). partial_loss / partial_embedding treat the current batch as if it ended here."""

    model_index: int
    chunk_index: int
    chunks_total: int
    offset: int
    nll: np.ndarray
    partial_loss: float
    partial_embedding: np.ndarray
    steps_done: int
    steps_total: int


@dataclass(frozen=True)
class ModelScore:
    weights: str
    loss: float  # network loss: mean over batches of CE_b + 0.02·SIG_b
    cross_entropy: float  # mean of CE_b (PAD rows in the denominator)
    sigreg: float  # mean of SIG_b, before the 0.02 coefficient
    bits_per_byte: float  # true mean NLL per predicted target, in bits (not the network's loss)
    embedding: np.ndarray  # f32 [D], not normalised
    distance: float | None  # 1 − cos(embedding, target) when a target was given
    per_byte_nll: np.ndarray  # f32 [size + 1], NaN where nothing is predicted

    def per_byte_nll_list(self) -> list[float | None]:
        return [None if math.isnan(v) else v for v in self.per_byte_nll.tolist()]


@dataclass(frozen=True)
class EvalResult:
    size: int
    models: list[ModelScore]
    winner: int  # argmin(loss) in list order, ties to the lowest index

    @property
    def best(self) -> ModelScore:
        return self.models[self.winner]


@dataclass(frozen=True)
class BytePrediction:
    """What the model expected at `offset`: `actual` is the byte (or 257 for EOS); empty `top` = no context."""

    offset: int
    actual: int | None
    nll: float | None
    top: tuple[tuple[int, float], ...]


def target_distance(embedding: np.ndarray, target: np.ndarray) -> float:
    """The protocol's cosine distance, with the engine's message for a target of the wrong length."""
    try:
        return cosine_distance(embedding, target)
    except EmbeddingLengthMismatch as err:
        raise EngineError(f"target embedding has {err.right} values, the model's embedding has {err.left}") from None


def select_winner(losses: Sequence[float]) -> int:
    """Strict `<` fold from index 0 (burn NdArray argmin): ties → lowest index, NaN at 0 wins, later NaN never."""
    best = 0
    for index in range(1, len(losses)):
        if losses[index] < losses[best]:
            best = index
    return best
