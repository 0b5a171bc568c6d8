"""The engine worker: scores files chunk by chunk on its own thread and streams partial results.

`EvalWorker` is a QObject that lives on the GUI thread; its scoring loop runs on a dedicated Python
thread and reports through the worker's signals, which Qt queues to the GUI thread because they are
emitted from another thread. (A moveToThread QThread worker was tried first: with PySide6 6.12 on
Python 3.11 it intermittently segfaulted or deadlocked at thread exit in the test suite.)

torch is imported only here, inside `EvalWorker.run` (the worker thread), `warm_up_engine` (a background
thread started once models are ticked) and `probe_top` (a pool thread) — never at start-up or on the GUI
thread. The worker runs at background priority so the GUI thread wins the CPU. Cancellation is
cooperative: the GUI thread sets `cancel_event`; the engine checks it between chunks and the worker
reports "cancelled", while the receiver keeps whatever was already streamed.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from soma_desktop.network.types import Manifest
from soma_desktop.ui.evaluate.results import ModelRef

MODEL_CACHE_SIZE = 4
_cache: OrderedDict[tuple, object] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class RegistryWeights:
    """How to obtain a registry model's plaintext weights (downloaded, verified, decrypted, cached)."""

    manifest: Manifest
    key: bytes
    cache_dir: Path
    allow_loopback: bool = False


@dataclass(frozen=True)
class EvalJob:
    job_id: int
    files: tuple[tuple[Path, bytes], ...]
    models: tuple[ModelRef, ...]
    device: str = "auto"
    precision: str = "exact"
    threads: int = 0                       # 0: all cores but one (the GUI keeps a core)
    seed: int = 0
    registry: dict[int, RegistryWeights] = field(default_factory=dict)   # model index → source


BACKGROUND_NICE = 10


def lower_thread_priority() -> None:
    """Run the calling (worker) thread at background priority so the GUI thread wins the CPU when both
    want it; torch's intra-op threads created from here inherit it. Linux only (per-thread nice values);
    elsewhere the thread keeps normal priority."""
    if sys.platform.startswith("linux"):
        try:   # Linux keeps a nice value per thread: raise this thread's only
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           max(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), BACKGROUND_NICE))
        except OSError:
            pass


def default_threads() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


def load_cached(weights: str, device: str):
    """A LoadedModel for (file, device), reused while the file is unchanged. Imports torch."""
    from soma_desktop.engine.weights import load_model

    path = Path(weights)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, device)
    with _cache_lock:
        model = _cache.get(key)
        if model is not None:
            _cache.move_to_end(key)
            return model
    model = load_model(path, device=device)
    with _cache_lock:
        _cache[key] = model
        while len(_cache) > MODEL_CACHE_SIZE:
            _cache.popitem(last=False)
    return model


_warm_lock = threading.Lock()
_warm_started = False


def warm_up_engine() -> None:
    """Import torch and the engine in a background thread ahead of the first run (once per process).

    Importing torch holds the GIL for long stretches (dlopen, module init); doing it as soon as the user
    picks a model keeps that pause out of the run and its progress display."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True

    def _import() -> None:
        for name in ("soma_desktop.engine.scorer", "soma_desktop.engine.weights"):   # these import torch
            importlib.import_module(name)

    threading.Thread(target=_import, name="soma-engine-warmup", daemon=True).start()


def probe_top(weights: str, device: str, data: bytes, offset: int, k: int = 5):
    """The model's top-k predictions for the byte at `offset` (a BytePrediction). Runs in a pool thread."""
    from soma_desktop.engine.scorer import top_predictions

    model = load_cached(weights, device)
    return top_predictions(model, data, offset, offset + 1, k=k)[0]


class EvalWorker(QObject):
    """Runs one EvalJob on its own thread (`start`); every signal reaches GUI receivers queued."""

    sig_stage_changed = Signal(int, str)   # int: job id, a per-process counter
    """(job id, text) e.g. 'Loading model 2/3…'."""
    sig_model_resolved = Signal(int, int, str)   # int: job id, model index
    """(job id, model index, weights path) once a registry model is downloaded and decrypted."""
    sig_chunk_scored = Signal(int, int, object)   # int: job id, file index
    """(job id, file index, engine ChunkProgress)."""
    sig_file_scored = Signal(int, int, object)   # int: job id, file index
    """(job id, file index, engine EvalResult) — the exact network numbers for that file."""
    sig_run_finished = Signal(int, str, str)   # int: job id
    """(job id, outcome 'done' | 'cancelled' | 'failed', one-line message)."""
    sig_thread_exiting = Signal(int)   # int: job id
    """(job id) — the very last thing the thread does; join() then returns at once."""

    def __init__(self, job: EvalJob):
        super().__init__()
        self.job = job
        self.cancel_event = threading.Event()
        self.thread = threading.Thread(target=self._main, name=f"soma-eval-{job.job_id}", daemon=True)

    # ---- Public API (GUI thread) ---------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        """Thread-safe: the engine stops before its next chunk."""
        self.cancel_event.set()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self.thread.ident is not None:
            self.thread.join(timeout_s)
        return not self.thread.is_alive()

    def _main(self) -> None:
        try:
            self.run()
        finally:
            self.sig_thread_exiting.emit(self.job.job_id)

    # ---- Private (worker thread) --------------------------------------------------------------
    def run(self) -> None:
        job = self.job
        outcome, message = "done", ""
        lower_thread_priority()
        try:
            self._run(job)
        except _Cancelled:
            outcome, message = "cancelled", "cancelled"
        except Exception as exc:  # every failure becomes a one-line message for the panel
            outcome, message = self._describe_failure(exc)
        self.sig_run_finished.emit(job.job_id, outcome, message)

    def _run(self, job: EvalJob) -> None:
        self.sig_stage_changed.emit(job.job_id, "Starting the model engine…")
        from soma_desktop.engine import EngineError, EvalCancelled
        from soma_desktop.engine.scorer import iter_score
        from soma_desktop.engine.weights import resolve_device, set_threads

        import torch

        wanted = job.threads or default_threads()
        if torch.get_num_threads() != wanted:   # process-wide; resizing the pool on every run is needless churn
            set_threads(wanted)
        device = str(resolve_device(job.device))
        paths = self._weights_paths(job)
        models = []
        for index, path in enumerate(paths):
            self._check_cancel()
            self.sig_stage_changed.emit(job.job_id, f"Loading model {index + 1}/{len(paths)}…")
            try:
                models.append(load_cached(path, device))
            except EngineError as exc:   # say which model, the engine's message names no file
                raise EngineError(f"{job.models[index].label}: {exc}") from None
            except FileNotFoundError:
                raise EngineError(f"{job.models[index].label}: weights file not found ({path})") from None
        for file_index, (_path, data) in enumerate(job.files):
            self._check_cancel()
            evaluation = iter_score(models, data, seed=job.seed, precision=job.precision, cancel=self.cancel_event)
            try:
                for progress in evaluation:
                    self.sig_chunk_scored.emit(job.job_id, file_index, progress)
            except EvalCancelled:
                raise _Cancelled() from None
            self.sig_file_scored.emit(job.job_id, file_index, evaluation.result)

    def _weights_paths(self, job: EvalJob) -> list[str]:
        paths = []
        for index, ref in enumerate(job.models):
            source = job.registry.get(index)
            if source is None:
                paths.append(ref.weights)
                continue
            self.sig_stage_changed.emit(job.job_id, f"Downloading weights of {ref.label}…")
            path = self._fetch(job.job_id, ref, source)
            self.sig_model_resolved.emit(job.job_id, index, str(path))
            paths.append(str(path))
        return paths

    def _fetch(self, job_id: int, ref: ModelRef, source: RegistryWeights) -> Path:
        from soma_desktop.publish.downloader import UrlPolicy, fetch_model_weights

        def progress(done: int, total: int) -> None:
            if total:
                self.sig_stage_changed.emit(job_id, f"Downloading weights of {ref.label}: "
                                                    f"{done / 2**20:.1f} / {total / 2**20:.1f} MiB")
        try:
            return fetch_model_weights(source.manifest, source.key, source.cache_dir,
                                       policy=UrlPolicy(allow_loopback=source.allow_loopback),
                                       progress=progress, cancelled=self.cancel_event.is_set)
        except InterruptedError:
            raise _Cancelled() from None

    def _check_cancel(self) -> None:
        if self.cancel_event.is_set():
            raise _Cancelled()

    @staticmethod
    def _describe_failure(exc: Exception) -> tuple[str, str]:
        from soma_desktop.engine.errors import EngineError

        if isinstance(exc, EngineError):
            return "failed", str(exc)
        try:
            from soma_desktop.publish.downloader import DownloadError
            if isinstance(exc, DownloadError):
                return "failed", f"download failed: {exc}"
        except ImportError:
            pass
        if isinstance(exc, FileNotFoundError):
            return "failed", f"weights file not found: {exc.filename}"
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        return "failed", f"{type(exc).__name__}: {first}"


class _Cancelled(Exception):
    pass
