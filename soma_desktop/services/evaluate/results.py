"""What a run produced so far, per file and per model (Qt-free, torch-free).

Partial results stream in chunk by chunk (`apply_chunk`); a file's final `EvalResult` replaces the
partial numbers (`apply_file`). Exports and the distance maths work from these arrays only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from soma_desktop.engine.contract import SEQ_LEN, num_chunks, num_targets
from soma_desktop.engine.results import ChunkProgress, EvalResult
from soma_desktop.network.types import Target, TargetStatus

# The distance and hit rule (one definition, in protocol): views compare only targets of the model's size.
from soma_desktop.protocol.distance import cosine_distance, would_hit

__all__ = ["LN2", "FileTrack", "ModelRef", "ModelTrack", "RunResults", "already_scored", "chunk_of",
           "cosine_distance", "scored_targets", "submit_candidate", "worst_spans", "would_hit"]

LN2 = math.log(2.0)


@dataclass(frozen=True)
class ModelRef:
    """A model chosen for a run: `weights` is the safetensors path string (what the CLI receives)."""

    label: str
    weights: str
    source: str = "local"            # demo | local | registry
    model_id: str | None = None      # registry id
    embedding: tuple[float, ...] | None = None   # the owner's routing embedding, when known


@dataclass
class ModelTrack:
    ref: ModelRef
    nll: np.ndarray                 # f32 [size + 1], NaN where not (yet) predicted
    chunks_total: int
    chunks_done: int = 0
    loss: float | None = None       # partial while running, final when `final`
    embedding: np.ndarray | None = None
    cross_entropy: float | None = None
    sigreg: float | None = None
    final: bool = False
    final_bits: float | None = None  # the engine's bits per byte over every scored target
    weights_path: str = ""           # the file actually scored (registry: the decrypted cache file)
    nll_sum: float = 0.0             # running Σ nll and count over the bytes scored so far (set_span keeps them),
    scored: int = 0                  # so a redraw never re-sums a 1 MiB array

    def set_span(self, offset: int, nll: np.ndarray) -> None:
        """Write one chunk's per-byte NLL and keep the running sums exact for rewritten spans."""
        span = self.nll[offset:offset + nll.shape[0]]
        old = span[~np.isnan(span)]
        new = nll[~np.isnan(nll)]
        self.nll_sum += float(new.sum(dtype=np.float64)) - float(old.sum(dtype=np.float64))
        self.scored += int(new.size) - int(old.size)
        span[:] = nll

    @property
    def bits_per_byte(self) -> float | None:
        """Σ nll / n_scored / ln 2 over the bytes scored so far (the final value covers all targets)."""
        if self.final_bits is not None:
            return self.final_bits
        if self.scored == 0:
            return None
        return self.nll_sum / self.scored / LN2

    @property
    def status(self) -> str:
        if self.final:
            return "done"
        if self.chunks_done == 0:
            return "waiting"
        return f"partial ({self.chunks_done}/{self.chunks_total} chunks)"


@dataclass
class FileTrack:
    path: Path
    data: bytes
    truncated: bool = False
    binary: bool = False
    models: list[ModelTrack] = field(default_factory=list)
    winner: int | None = None       # set from the engine's EvalResult once every model finished
    dirty: dict[int, tuple[int, int]] = field(default_factory=dict)   # model → offsets changed, not yet drawn

    def mark_dirty(self, model: int, lo: int, hi: int) -> None:
        old = self.dirty.get(model)
        self.dirty[model] = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))

    def take_dirty(self) -> dict[int, tuple[int, int]]:
        """Per model, the offset range changed since the last call (incremental plot updates), then reset."""
        dirty, self.dirty = self.dirty, {}
        return dirty

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def label(self) -> str:
        return self.path.name + (" (first 1 MiB)" if self.truncated else "")

    @property
    def complete(self) -> bool:
        return bool(self.models) and all(m.final for m in self.models)


@dataclass
class RunResults:
    job_id: int
    files: list[FileTrack]
    models: list[ModelRef]
    state: str = "running"          # running | done | cancelled | failed
    message: str = ""
    steps_done: int = 0

    @classmethod
    def start(cls, job_id: int, files: list[tuple[Path, bytes, bool, bool]], models: list[ModelRef]) -> RunResults:
        tracks = []
        for path, data, truncated, binary in files:
            chunks = num_chunks(len(data))
            tracks.append(FileTrack(path, data, truncated, binary, [
                ModelTrack(ref, np.full(len(data) + 1, np.nan, dtype=np.float32), chunks) for ref in models]))
        return cls(job_id, tracks, list(models))

    @property
    def steps_total(self) -> int:
        return sum(num_chunks(f.size) for f in self.files) * len(self.models)

    @property
    def complete(self) -> bool:
        return all(f.complete for f in self.files)

    def apply_chunk(self, file_index: int, progress: ChunkProgress) -> None:
        """Fold one engine ChunkProgress into the partial arrays."""
        file = self.files[file_index]
        track = file.models[progress.model_index]
        nll = np.asarray(progress.nll, dtype=np.float32)
        track.set_span(progress.offset, nll)
        file.mark_dirty(progress.model_index, progress.offset, progress.offset + nll.shape[0])
        track.chunks_done = progress.chunk_index + 1
        track.loss = float(progress.partial_loss)
        track.embedding = np.asarray(progress.partial_embedding, dtype=np.float32)
        self.steps_done += 1

    def apply_file(self, file_index: int, result: EvalResult, weights_paths: list[str]) -> None:
        """The engine's final EvalResult for one file: exact network numbers and the winner."""
        track = self.files[file_index]
        for model, score, path in zip(track.models, result.models, weights_paths):
            model.nll = np.asarray(score.per_byte_nll, dtype=np.float32)
            model.loss, model.cross_entropy, model.sigreg = float(score.loss), float(score.cross_entropy), \
                float(score.sigreg)
            model.final_bits = float(score.bits_per_byte)
            model.embedding = np.asarray(score.embedding, dtype=np.float32)
            model.chunks_done, model.final, model.weights_path = model.chunks_total, True, path
        track.winner = int(result.winner)
        # The final per-byte arrays hold exactly the streamed chunks, so no view needs a redraw of them.


# --- numbers shared by the views ------------------------------------------------------------------

def already_scored(results: RunResults | None, files: list[tuple[Path, bytes]], models: list[ModelRef]) -> bool:
    """True when the finished `results` hold every one of `files` (same bytes) for exactly `models`:
    running again would only repeat the same numbers."""
    if results is None or results.state != "done":
        return False
    if [(m.weights, m.model_id) for m in results.models] != [(m.weights, m.model_id) for m in models]:
        return False
    done = {(f.path, f.data) for f in results.files if f.complete}
    return all((path, data) in done for path, data in files)


def chunk_of(offset: int) -> int:
    """The chunk whose prediction is the byte at `offset` (offset == size is EOS of the last chunk)."""
    return max(0, (offset - 1) // SEQ_LEN)


def worst_spans(nll: np.ndarray, count: int = 20, window: int = 16) -> list[tuple[int, int, float]]:
    """Top `count` non-overlapping windows by mean NLL: (start, stop, mean nats), worst first."""
    values = np.nan_to_num(np.asarray(nll, dtype=np.float64), nan=0.0)
    valid = (~np.isnan(nll)).astype(np.float64)
    if values.size == 0 or not valid.any():
        return []
    window = max(1, min(window, values.size))
    sums = np.convolve(values, np.ones(window), "valid")
    counts = np.convolve(valid, np.ones(window), "valid")
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), -np.inf)
    keep = min(means.size, max(count * window * 4, 1000))
    candidates = np.argpartition(-means, keep - 1)[:keep] if keep < means.size else np.arange(means.size)
    order = candidates[np.argsort(-means[candidates], kind="stable")]
    taken = np.zeros(values.size, dtype=bool)
    spans: list[tuple[int, int, float]] = []
    for start in order:
        if not np.isfinite(means[start]):
            break
        stop = int(start) + window
        if taken[start:stop].any():
            continue
        taken[start:stop] = True
        spans.append((int(start), stop, float(means[start])))
        if len(spans) == count:
            break
    return spans


def scored_targets(size: int) -> int:
    return num_targets(size)


def submit_candidate(track: FileTrack | None, target: Target) -> ModelTrack | None:
    """The finished model (assigned to this open target) whose data embedding lands closest within its threshold."""
    if track is None or track.truncated or target.status is not TargetStatus.OPEN:
        return None
    best: tuple[float, ModelTrack] | None = None
    for model in track.models:
        if (not model.final or model.embedding is None or model.ref.model_id not in target.model_ids
                or model.embedding.shape[0] != len(target.embedding)):
            continue
        distance = cosine_distance(model.embedding, np.asarray(target.embedding, dtype=np.float32))
        if would_hit(distance, target.distance_threshold) and (best is None or distance < best[0]):
            best = (distance, model)
    return None if best is None else best[1]
