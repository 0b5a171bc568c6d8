"""The evaluation worker process: the only process of the app that imports torch.

Started with the `spawn` method (a fresh interpreter: nothing of the GUI process — no wallet key, no Qt —
is inherited). It serves requests one at a time from its inbox; between two chunks it reads the inbox
again so a Cancel stops the run and a hover probe is answered without waiting for the run to end.
Loaded models stay warm in an LRU cache whose weights never exceed the memory budget.
"""

from __future__ import annotations

import collections
import gc
import os
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

from soma_desktop.engine.budget import check_budget, chunk_flops, format_bytes, weight_bytes
from soma_desktop.engine.contract import MAX_DATA_SIZE
from soma_desktop.engine.errors import EngineError, EvalCancelled
from soma_desktop.evalworker.limits import apply_memory_limits, lower_priority
from soma_desktop.evalworker.messages import (
    Cancel,
    EmbedRequest,
    EvalRequest,
    InboxItem,
    InboxMessage,
    MatmulSpeed,
    ProbeRequest,
    Reply,
    Request,
    SpeedRequest,
)
from soma_desktop.evalworker.wire import encode

if TYPE_CHECKING:   # these import torch: the worker loads them lazily, after the memory limits
    from soma_desktop.engine.architecture import Architecture
    from soma_desktop.engine.results import ChunkProgress
    from soma_desktop.engine.scorer import Evaluation
    from soma_desktop.engine.weights import LoadedModel

FLUSH_S = 0.1           # chunk results are sent in batches at most this often (the GUI redraws slower)
# (resolved path, mtime ns, size, device, heads): a rewritten file or another device loads anew
ModelKey: TypeAlias = tuple[str, int, int, str, int | None]


class Inbox(Protocol):
    """The worker's end of the request pipe (a multiprocessing Connection)."""

    def recv(self) -> InboxMessage: ...

    def poll(self, timeout: float | None = ...) -> bool: ...


class Outbox(Protocol):
    """The worker's end of the reply pipe (a multiprocessing Connection)."""

    def send_bytes(self, buf: bytes) -> None: ...


def main(inbox: Inbox, outbox: Outbox, budget: int, background: bool) -> None:
    """Process entry point (multiprocessing target)."""
    if background:
        lower_priority()
    import torch  # noqa: F401  (imported before the limits: they are set on top of torch's own mappings)

    limits = apply_memory_limits(budget)
    outbox.send_bytes(encode(Reply("ready", 0, (os.getpid(), limits))))
    Worker(inbox, outbox, budget).serve()


class _Cancelled(Exception):
    pass


class Worker:
    def __init__(self, inbox: Inbox, outbox: Outbox, budget: int) -> None:
        self.inbox = inbox
        self.outbox = outbox
        self.budget = budget
        self.queue: collections.deque[InboxItem] = collections.deque()
        self.cancelled: set[int] = set()
        self.models: collections.OrderedDict[ModelKey, tuple[LoadedModel, int]] = collections.OrderedDict()
        self.speed: MatmulSpeed | None = None
        self.current = 0
        self.in_use: list[LoadedModel] = []        # models of the run in progress: never evicted under it

    # ---- the loop ----------------------------------------------------------------------------------
    def serve(self) -> None:
        while True:
            if not self.queue:
                try:
                    self._take(self.inbox.recv())
                except EOFError:   # the parent closed its end or died: nothing left to serve
                    return
                continue
            request_id, request = self.queue.popleft()
            if request is None:
                return
            self._handle(request_id, request)

    def _take(self, message: InboxMessage) -> None:
        if isinstance(message, Cancel):
            self.cancelled.add(message.request_id)
        else:
            self.queue.append(message)

    def _handle(self, request_id: int, request: Request) -> None:
        if request_id in self.cancelled:
            self.cancelled.discard(request_id)
            self._send("end", request_id, "cancelled", "cancelled")
            return
        outer, self.current = self.current, request_id   # a probe may be served in the middle of a run
        outcome, message = "done", ""
        try:
            handlers: dict[type, Callable[[int, Any], None]] = {
                EvalRequest: self._evaluate, ProbeRequest: self._probe, EmbedRequest: self._embed,
                SpeedRequest: self._speed}
            handlers[type(request)](request_id, request)
        except (_Cancelled, EvalCancelled):
            outcome, message = "cancelled", "cancelled"
        except MemoryError:
            outcome, message = "failed", self._out_of_memory()
        except EngineError as exc:
            outcome, message = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - one line for the user; the traceback stays in this process
            outcome, message = "failed", _describe(exc, self._out_of_memory())
            traceback.print_exc()
        finally:
            self.current = outer
            self.cancelled.discard(request_id)
        if not outer:
            self.in_use = []
            gc.collect()
        self._send("end", request_id, outcome, message)

    def _send(self, kind: str, request_id: int, *payload: object) -> None:
        self.outbox.send_bytes(encode(Reply(kind, request_id, payload)))

    def _poll(self) -> None:
        """Between chunks: read the inbox; raise when the current request was cancelled; answer probes."""
        while self.inbox.poll(0):
            message = self.inbox.recv()
            self._take(message)
        waiting: collections.deque[InboxItem] = collections.deque()
        while self.queue:
            request_id, request = self.queue.popleft()
            if isinstance(request, ProbeRequest):
                self._handle(request_id, request)
            else:
                waiting.append((request_id, request))
        self.queue = waiting
        if self.current in self.cancelled:
            raise _Cancelled()

    def _out_of_memory(self) -> str:
        return (f"the evaluation ran out of memory (budget {format_bytes(self.budget)}); "
                "try fewer or smaller models, or a larger budget")

    # ---- models ------------------------------------------------------------------------------------
    @staticmethod
    def _key(path: str, device: str, num_heads: int | None) -> ModelKey:
        from soma_desktop.engine.weights import resolve_device

        resolved = Path(path).resolve()
        stat = resolved.stat()
        return (str(resolved), stat.st_mtime_ns, stat.st_size, str(resolve_device(device)), num_heads)

    def _is_warm(self, path: str, device: str, num_heads: int | None) -> bool:
        try:
            return self._key(path, device, num_heads) in self.models
        except (OSError, EngineError):
            return False

    def _load(self, path: str, device: str, precision: str, num_heads: int | None, data_size: int) -> LoadedModel:
        """A LoadedModel from the LRU cache, or loaded after evicting models until the budget allows it.
        Every load passes the header-only budget check first (probes and embeddings too, not only runs)."""
        from soma_desktop.engine.weights import load_model

        key = self._key(path, device, num_heads)
        resolved = Path(key[0])
        cached = self.models.get(key)
        if cached is not None:
            self.models.move_to_end(key)
            return cached[0]
        from soma_desktop.engine.architecture import infer_architecture
        from soma_desktop.engine.header import read_header

        arch = infer_architecture(read_header(resolved), num_heads)
        check_budget(arch, data_size, self.budget, precision=precision, name=resolved.name)
        size = weight_bytes(arch, "fast")
        self._evict(size)
        model = load_model(resolved, num_heads=num_heads, device=device)
        self.models[key] = (model, size)
        return model

    def _evict(self, incoming: int) -> None:
        held = sum(size for _model, size in self.models.values())
        for key in list(self.models):
            if held + incoming <= self.budget:
                break
            model, size = self.models[key]
            if any(model is k for k in self.in_use):
                continue
            del self.models[key]
            held -= size
        gc.collect()   # unmaps the evicted weights now, not at some later collection

    def _check_budget(self, request: EvalRequest) -> list[Architecture]:
        """Refuse before any tensor is read: each model alone, then the job's models together."""
        from soma_desktop.engine.architecture import infer_architecture
        from soma_desktop.engine.header import read_header

        size = max(len(data) for data in request.files)
        estimates, archs = [], []
        for index, path in enumerate(request.weights):
            try:
                arch = infer_architecture(read_header(path), request.num_heads)
                archs.append(arch)
            except FileNotFoundError:
                raise EngineError(f"{request.label(index)}: weights file not found ({path})") from None
            except EngineError as exc:
                raise EngineError(f"{request.label(index)}: {exc}") from None
            estimates.append(check_budget(arch, size, self.budget, precision=request.precision,
                                          name=request.label(index)))
        together = sum(e.weights for e in estimates) + max(e.activations + e.outputs for e in estimates)
        if together > self.budget:
            raise EngineError(f"the {len(estimates)} models together need about {format_bytes(together)} of "
                              f"memory; the evaluation memory budget is {format_bytes(self.budget)}. "
                              "Run fewer models at once.")
        return archs

    # ---- requests ----------------------------------------------------------------------------------
    def _evaluate(self, request_id: int, request: EvalRequest) -> None:
        import torch

        from soma_desktop.engine.scorer import iter_score
        from soma_desktop.engine.weights import set_threads

        if not request.files or not request.weights:
            raise EngineError("nothing to evaluate")
        archs = self._check_budget(request)
        self._send("plan", request_id, [chunk_flops(a) for a in archs])
        wanted = request.threads or max(1, (os.cpu_count() or 2) - 1)
        if torch.get_num_threads() != wanted:
            set_threads(wanted)
        models: list[LoadedModel] = []
        self.in_use = models
        for index, path in enumerate(request.weights):
            self._poll()
            if not self._is_warm(path, request.device, request.num_heads):
                self._send("stage", request_id, f"Loading model {index + 1}/{len(request.weights)}…")
            try:
                models.append(self._load(path, request.device, request.precision, request.num_heads,
                                         max(len(data) for data in request.files)))
            except FileNotFoundError:
                raise EngineError(f"{request.label(index)}: weights file not found ({path})") from None
            except EngineError as exc:
                raise EngineError(f"{request.label(index)}: {exc}") from None
        flops = [chunk_flops(a) for a in archs]
        for file_index, data in enumerate(request.files):
            self._poll()
            evaluation = iter_score(models, data, seed=request.seed, precision=request.precision,
                                    target_embedding=request.target_embedding)
            self._stream(request_id, file_index, evaluation, flops)
            self._send("file", request_id, file_index, evaluation.result)

    def _stream(self, request_id: int, file_index: int, evaluation: Evaluation, flops: list[int]) -> None:
        batch: list[ChunkProgress] = []
        seconds = 0.0
        done_flops = 0
        last_flush = 0.0
        started = time.perf_counter()
        for progress in evaluation:
            now = time.perf_counter()
            seconds += now - started
            done_flops += flops[progress.model_index]
            batch.append(progress)
            last_of_model = progress.chunk_index + 1 == progress.chunks_total
            if now - last_flush >= FLUSH_S or last_of_model or len(batch) == 1 and last_flush == 0.0:
                self._send("chunks", request_id, file_index, batch, seconds, done_flops)
                batch, seconds, done_flops, last_flush = [], 0.0, 0, now
            self._poll()
            started = time.perf_counter()
        if batch:
            self._send("chunks", request_id, file_index, batch, seconds, done_flops)

    def _probe(self, request_id: int, request: ProbeRequest) -> None:
        from soma_desktop.engine.scorer import top_predictions

        model = self._load(request.weights, request.device, "exact", None, len(request.data))
        prediction = top_predictions(model, request.data, request.offset, request.offset + 1, k=request.k)[0]
        self._send("result", request_id, prediction)

    def _embed(self, request_id: int, request: EmbedRequest) -> None:
        from soma_desktop.engine.corpus import corpus_files, file_pieces
        from soma_desktop.engine.scorer import embedding_from_pieces

        try:
            files = corpus_files(request.folder)
        except (ValueError, OSError) as exc:
            raise EngineError(str(exc)) from None
        model = self._load(request.weights, "cpu", request.precision, None, MAX_DATA_SIZE)
        self.in_use = [model]
        if model.architecture.embedding_dim != request.dim:
            raise EngineError(f"the model's embeddings have {model.architecture.embedding_dim} dimensions; "
                              f"this network's targets have {request.dim}. Import an embedding instead.")
        embeddings: list[np.ndarray] = []
        started = time.monotonic()
        for index, (path, budget_left) in enumerate(files):
            self._poll()
            eta = ""
            if index:
                eta = f", about {(time.monotonic() - started) / index * (len(files) - index):.0f} s left"
            self._send("progress", request_id, index, len(files), f"Embedding {path.name} "
                                                                  f"({index + 1}/{len(files)}){eta}")
            embeddings.extend(self._piece_embeddings(model, file_pieces(path, budget_left), request.precision))
        self._send("progress", request_id, len(files), len(files), "Embedding computed")
        vector = embedding_from_pieces(embeddings)
        self._send("result", request_id, [float(v) for v in vector.tolist()])

    def _piece_embeddings(self, model: LoadedModel, pieces: Iterable[bytes], precision: str) -> list[np.ndarray]:
        from soma_desktop.engine.scorer import iter_score

        out = []
        for piece in pieces:
            evaluation = iter_score([model], piece, precision=precision)
            for _progress in evaluation:
                self._poll()
            out.append(evaluation.result.models[0].embedding)
        return out

    def _speed(self, request_id: int, _request: SpeedRequest) -> None:
        if self.speed is None:
            from soma_desktop.engine.speed import measure_matmul

            self.speed = MatmulSpeed(*measure_matmul())
        self._send("result", request_id, self.speed)


def _describe(exc: Exception, oom: str) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:300]
    if "can't allocate memory" in text or "not enough memory" in text.lower() or "out of memory" in text.lower():
        return oom
    return f"{type(exc).__name__}: {text}"
