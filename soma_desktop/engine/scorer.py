"""The network's V1 scorer, streamed chunk by chunk (scoring.md §2–§7).

Per chunk we keep only small outputs (per-byte NLL, the sum of R over slots, the sum of per-token SIGReg
terms); when a group of 16 chunks (one network batch) completes, CE_b, SIG_b and emb_b are formed with the
network's denominators and folded into f32 running means. Peak memory is one chunk's activations.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from soma_desktop.engine.contract import (
    BATCH_SIZE,
    SEQ_LEN,
    Chunk,
    check_data,
    make_chunk,
    num_batches,
    num_chunks,
    num_targets,
    predicted_offset_slots,
    slot_for_offset,
)
from soma_desktop.engine.errors import EngineError, EvalCancelled
from soma_desktop.engine.results import (  # noqa: F401  (re-exported: the torch-free result types)
    BytePrediction,
    ChunkProgress,
    EvalResult,
    ModelScore,
    select_winner,
    target_distance,
)
from soma_desktop.engine.sigreg import COEFFICIENT, SigReg, batch_noise
from soma_desktop.engine.weights import LoadedModel
from soma_desktop.protocol.distance import cosine_distance  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from soma_desktop.engine.fast import FastV1
    from soma_desktop.engine.model import V1Model

PRECISIONS = ("exact", "fast")
CancelFlag = threading.Event | Callable[[], bool] | None


@contextlib.contextmanager
def precision_context(precision: str, device: torch.device) -> Iterator[None]:
    """exact: f32 with TF32 and reduced-precision matmuls off (network parity).

    fast: the packed bf16 forward pass of engine/fast.py (bf16 matrix products and, for wide heads, bf16
    attention products; residual stream, LayerNorm, RoPE, logits, NLL and SIGReg in f32). Not network-exact:
    on a random D=512 16-layer model |Δ loss| ≈ 5.9e-4, per-byte NLL max |Δ| ≈ 0.01 nats; on the demo
    models |Δ loss| ≤ 2.1e-4, per-byte max |Δ| ≈ 0.11 nats."""
    if precision not in PRECISIONS:
        raise EngineError(f"unknown precision '{precision}' (use exact or fast)")
    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32,
             torch.get_float32_matmul_precision())
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
        with torch.inference_mode():
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved[:2]
        torch.set_float32_matmul_precision(saved[2])


def _module_for(model: LoadedModel, precision: str) -> V1Model | FastV1:
    return model.fast_module() if precision == "fast" else model.module


def _forward_chunk(module: V1Model | FastV1, chunk: Chunk, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    tokens = torch.from_numpy(chunk.tokens).unsqueeze(0).to(device)
    positions = torch.from_numpy(chunk.positions).unsqueeze(0).to(device)
    representations = module.encode(tokens, positions)
    logits = module.predict(representations)
    return representations[0].float(), logits[0].float()


def _chunk_nll(logits: torch.Tensor, chunk: Chunk) -> np.ndarray:
    _, count = predicted_offset_slots(chunk)
    targets = torch.from_numpy(chunk.targets[:count]).to(logits.device)
    picked = logits[:count]
    nll = torch.logsumexp(picked, dim=-1) - picked.gather(1, targets.unsqueeze(1)).squeeze(1)
    return nll.cpu().numpy().astype(np.float32)


class _Accumulator:
    """Per-batch sums and the network's f32 running means over batches."""

    def __init__(self, dim: int):
        self.loss = np.float32(0.0)
        self.ce = np.float32(0.0)
        self.sig = np.float32(0.0)
        self.embedding = np.zeros(dim, dtype=np.float32)
        self.batches = 0
        self._reset_batch(dim)

    def _reset_batch(self, dim: int) -> None:
        self.nll_sum = 0.0
        self.sig_sum = 0.0
        self.emb_sum = np.zeros(dim, dtype=np.float64)
        self.seqs = 0

    def add_chunk(self, nll_sum: float, sig_sum: float, emb_sum: np.ndarray) -> None:
        self.nll_sum += nll_sum
        self.sig_sum += sig_sum
        self.emb_sum += emb_sum
        self.seqs += 1

    def _batch_values(self) -> tuple[np.float32, np.float32, np.ndarray]:
        rows = SEQ_LEN * self.seqs  # PAD rows count in the CE denominator (burn quirk)
        embedding = (self.emb_sum / rows).astype(np.float32)
        return np.float32(self.nll_sum / rows), np.float32(self.sig_sum / rows), embedding

    @staticmethod
    def _fold(mean: Any, value: Any, k: int) -> Any:  # a float32 scalar or a float32 vector
        return (mean + (value - mean) / np.float32(k)).astype(np.float32)

    def close_batch(self) -> None:
        ce, sig, emb = self._batch_values()
        self.batches += 1
        k = self.batches
        self.loss = self._fold(self.loss, np.float32(ce + np.float32(COEFFICIENT) * sig), k)
        self.ce = self._fold(self.ce, ce, k)
        self.sig = self._fold(self.sig, sig, k)
        self.embedding = self._fold(self.embedding, emb, k)
        self._reset_batch(self.embedding.shape[0])

    def partial(self) -> tuple[float, np.ndarray]:
        if self.seqs == 0:
            return float(self.loss), self.embedding.copy()
        ce, sig, emb = self._batch_values()
        k = self.batches + 1
        loss = self._fold(self.loss, np.float32(ce + np.float32(COEFFICIENT) * sig), k)
        return float(loss), self._fold(self.embedding, emb, k)


def _is_set(cancel: CancelFlag) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


class Evaluation:
    """Iterate to score `data` with every model (model by model, chunk by chunk) yielding ChunkProgress;
    then read `.result`. Raises EvalCancelled between chunks once `cancel` is set."""

    def __init__(self, models: Sequence[LoadedModel], data: bytes, *, seed: int = 0, precision: str = "exact",
                 cancel: CancelFlag = None, target_embedding: Sequence[float] | np.ndarray | None = None):
        check_data(data)
        if not models:
            raise EngineError("no model to evaluate")
        if precision not in PRECISIONS:
            raise EngineError(f"unknown precision '{precision}' (use exact or fast)")
        self.models = list(models)
        self.data = bytes(data)
        self.seed = seed
        self.precision = precision
        self.cancel = cancel
        if not 0 <= seed <= 2**64 - 1 - num_batches(len(data)):
            raise EngineError(f"seed {seed} is outside the network's u64 range")
        self.target = None if target_embedding is None else np.asarray(target_embedding, dtype=np.float32).ravel()
        for model in self.models:
            if self.target is not None and self.target.size != model.architecture.embedding_dim:
                raise EngineError(f"target embedding has {self.target.size} values, {model.name} embeds in "
                                  f"{model.architecture.embedding_dim} dimensions")
        self._result: EvalResult | None = None

    @property
    def result(self) -> EvalResult:
        if self._result is None:
            raise EngineError("evaluation has not finished")
        return self._result

    def __iter__(self) -> Iterator[ChunkProgress]:
        chunks = num_chunks(len(self.data))
        total = chunks * len(self.models)
        scores = []
        for index, model in enumerate(self.models):
            score = yield from self._score_model(index, model, chunks, total)
            scores.append(score)
        self._result = EvalResult(len(self.data), scores, select_winner([s.loss for s in scores]))

    def _score_model(self, index: int, model: LoadedModel, chunks: int,
                     total: int) -> Generator[ChunkProgress, None, ModelScore]:
        size = len(self.data)
        device = model.device
        acc = _Accumulator(model.architecture.embedding_dim)
        per_byte = np.full(size + 1, np.nan, dtype=np.float32)
        sig: SigReg | None = None
        with precision_context(self.precision, device):
            module = _module_for(model, self.precision)
            for c in range(chunks):
                if _is_set(self.cancel):
                    raise EvalCancelled("evaluation cancelled")
                chunk = make_chunk(self.data, c)
                if c % BATCH_SIZE == 0:
                    noise = batch_noise(self.seed, chunk.batch_index, model.architecture.embedding_dim)
                    sig = SigReg(noise, device)
                representations, logits = _forward_chunk(module, chunk, device)
                nll = _chunk_nll(logits, chunk)
                assert sig is not None  # built at the first chunk of every batch
                sig_sum = float(sig.token_terms(representations).double().sum())
                emb_sum = representations.double().sum(dim=0).cpu().numpy()
                start, count = predicted_offset_slots(chunk)
                per_byte[start:start + count] = nll
                acc.add_chunk(float(nll.astype(np.float64).sum()), sig_sum, emb_sum)
                if c % BATCH_SIZE == BATCH_SIZE - 1 or c == chunks - 1:
                    acc.close_batch()
                loss, embedding = acc.partial()
                yield ChunkProgress(index, c, chunks, start, nll, loss, embedding, index * chunks + c + 1, total)
        return self._finish(model, acc, per_byte)

    def _finish(self, model: LoadedModel, acc: _Accumulator, per_byte: np.ndarray) -> ModelScore:
        size = len(self.data)
        nll_total = float(np.nansum(per_byte.astype(np.float64)))
        bits = nll_total / num_targets(size) / math.log(2)
        distance = None if self.target is None else target_distance(acc.embedding, self.target)
        return ModelScore(str(model.path), float(acc.loss), float(acc.ce), float(acc.sig), bits,
                          acc.embedding.copy(), distance, per_byte)


def iter_score(models: Sequence[LoadedModel], data: bytes, **options: Any) -> Evaluation:
    """Iterator form: `ev = iter_score(...); for progress in ev: ...; ev.result`. Options as score_bytes."""
    return Evaluation(models, data, **options)


def score_bytes(models: Sequence[LoadedModel], data: bytes, *, seed: int = 0, precision: str = "exact",
                cancel: CancelFlag = None, on_chunk: Callable[[ChunkProgress], None] | None = None,
                target_embedding: Sequence[float] | np.ndarray | None = None) -> EvalResult:
    """Score `data` like the network does; calls `on_chunk` after every chunk of every model."""
    evaluation = Evaluation(models, data, seed=seed, precision=precision, cancel=cancel,
                            target_embedding=target_embedding)
    for progress in evaluation:
        if on_chunk is not None:
            on_chunk(progress)
    return evaluation.result


def top_predictions(model: LoadedModel, data: bytes, start: int, stop: int, *, k: int = 5,
                    precision: str = "exact") -> list[BytePrediction]:
    """Top-k next-token probabilities for offsets [start, stop) (stop may be size + 1 for EOS).

    Recomputes only the chunks that cover the range (a chunk's predictions depend on that chunk alone),
    so no logits are kept for the whole file."""
    check_data(data)
    size = len(data)
    start, stop = max(0, start), min(stop, size + 1)
    by_chunk: dict[int, list[tuple[int, int]]] = {}
    for offset in range(start, stop):
        located = slot_for_offset(offset, size)
        if located is not None:
            by_chunk.setdefault(located[0], []).append((offset, located[1]))
    found: dict[int, BytePrediction] = {}
    with precision_context(precision, model.device):
        module = _module_for(model, precision)
        for c, slots in by_chunk.items():
            chunk = make_chunk(data, c)
            _, logits = _forward_chunk(module, chunk, model.device)
            logp = torch.log_softmax(logits, dim=-1)
            top_p, top_i = torch.topk(logp.exp(), k=min(k, logp.shape[-1]), dim=-1)
            for offset, slot in slots:
                actual = int(chunk.targets[slot])
                top = tuple(zip(top_i[slot].tolist(), top_p[slot].tolist()))
                found[offset] = BytePrediction(offset, actual, float(-logp[slot, actual]), top)
    return [found.get(o) or BytePrediction(o, data[o] if o < size else None, None, ()) for o in range(start, stop)]


def embedding_from_pieces(embeddings: Sequence[np.ndarray]) -> np.ndarray:
    """The L2-normalised mean of data embeddings (scoring.md §8)."""
    if not embeddings:
        raise EngineError("no data to compute an embedding from")
    mean = np.mean(np.asarray(embeddings, dtype=np.float64), axis=0)
    norm = np.linalg.norm(mean)
    if not np.isfinite(norm) or norm == 0:
        raise EngineError("the model's data embeddings average to zero; no direction to register")
    unit: np.ndarray = mean / norm   # numpy's stubs type a mean over an axis, and so this, as Any
    return unit.astype(np.float32)


def suggest_model_embedding(model: LoadedModel, pieces: Sequence[bytes], *, precision: str = "exact",
                            cancel: CancelFlag = None) -> np.ndarray:
    """Registration embedding (scoring.md §8): the L2-normalised mean of the data embeddings the model
    produces on pieces of its domain corpus (each piece ≤ 1 MiB, scored like the network would)."""
    return embedding_from_pieces([score_bytes([model], piece, precision=precision, cancel=cancel).models[0].embedding
                                  for piece in pieces if piece])
