"""The GUI's side of an evaluation: runs one EvalJob through the evaluation worker process.

torch never loads in the GUI process: `EvalWorker` downloads and decrypts registry weights on its own
thread (network and disk I/O), then hands the job to the shared worker process (soma_desktop.evalworker)
and re-emits the worker's replies as Qt signals, which reach GUI receivers queued because they are
emitted from non-GUI threads. Cancel asks the worker to stop between chunks; the worker client kills it
if it has not stopped within 0.7 s, so a cancel always completes within a second. A crash of the worker
process ends the run with a plain message; the app keeps running and the next run starts a fresh worker.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from soma_desktop.engine.budget import resolve_budget
from soma_desktop.evalworker import EvalRequest, ProbeRequest, Reply, SpeedRequest, shared_client
from soma_desktop.network.types import Manifest
from soma_desktop.ui.evaluate.results import ModelRef


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
    memory_budget: int = 0                 # bytes (Preferences); 0: automatic (engine/budget.py)


def warm_up_engine(memory_budget: int = 0) -> None:
    """Spawn the worker process ahead of the first run (it imports torch there while the user sets up), under
    the memory budget the run will ask for (bytes; 0: automatic), so Run does not have to restart it."""
    client = shared_client()
    client.set_budget(resolve_budget(memory_budget))
    threading.Thread(target=client.start, name="soma-worker-spawn", daemon=True).start()


def probe_top(weights: str, device: str, data: bytes, offset: int, k: int = 5):
    """The model's top-k predictions for the byte at `offset` (a BytePrediction), computed by the worker
    between two chunks of a run if one is in progress. Blocks: call it from a pool thread."""
    return shared_client().call(ProbeRequest(weights, data, offset, device, k), timeout=120.0)


_speed_cache: list = []


def matmul_speed():
    """This CPU's f32/bf16 matmul speed (MatmulSpeed), measured once by the worker. Blocks (pool thread)."""
    if not _speed_cache:
        _speed_cache.append(shared_client().call(SpeedRequest(), timeout=300.0))
    return _speed_cache[0]


def cached_matmul_speed():
    """The speed measured earlier, or None (never blocks)."""
    return _speed_cache[0] if _speed_cache else None


class EvalWorker(QObject):
    """Runs one EvalJob on its own thread (`start`); every signal reaches GUI receivers queued."""

    sig_stage_changed = Signal(object, str)
    """(job id, text) e.g. 'Loading model 2/3…'."""
    sig_model_resolved = Signal(object, object, str)
    """(job id, model index, weights path) once a registry model is downloaded and decrypted."""
    sig_plan_known = Signal(object, object)
    """(job id, list of FLOPs per chunk of each model) once the worker has read the headers."""
    sig_chunks_scored = Signal(object, object, object)
    """(job id, file index, ([engine ChunkProgress], compute seconds, FLOPs)) — a batch of chunks."""
    sig_file_scored = Signal(object, object, object)
    """(job id, file index, engine EvalResult) — the exact network numbers for that file."""
    sig_run_finished = Signal(object, str, str)
    """(job id, outcome 'done' | 'cancelled' | 'failed', one-line message)."""
    sig_thread_exiting = Signal(object)
    """(job id) — the very last thing the thread does; join() then returns at once."""

    def __init__(self, job: EvalJob):
        super().__init__()
        self.job = job
        self.cancel_event = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"soma-eval-{job.job_id}", daemon=True)

    # ---- Public API (GUI thread) ---------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """Thread-safe: the engine stops before its next chunk."""
        self.cancel_event.set()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _main(self) -> None:
        try:
            self.run()
        finally:
            self.sig_thread_exiting.emit(self.job.job_id)

    # ---- Private (worker thread) --------------------------------------------------------------
    def run(self) -> None:
        job = self.job
        outcome, message = "done", ""
        try:
            outcome, message = self._run(job)
        except _Cancelled:
            outcome, message = "cancelled", "cancelled"
        except Exception as exc:  # noqa: BLE001 - every failure becomes a one-line message for the panel
            outcome, message = self._describe_failure(exc)
        self.sig_run_finished.emit(job.job_id, outcome, message)

    def _run(self, job: EvalJob) -> tuple[str, str]:
        self.sig_stage_changed.emit(job.job_id, "Starting the model engine…")
        paths = self._weights_paths(job)
        self._check_cancel()
        request = EvalRequest(files=tuple(data for _path, data in job.files), weights=tuple(paths),
                              labels=tuple(m.label for m in job.models), precision=job.precision,
                              device=job.device, threads=job.threads, seed=job.seed)
        ended = threading.Event()
        end: list[tuple[str, str]] = []

        def on_reply(reply: Reply) -> None:   # on the worker client's reader thread
            if reply.kind == "stage":
                self.sig_stage_changed.emit(job.job_id, reply.payload[0])
            elif reply.kind == "plan":
                self.sig_plan_known.emit(job.job_id, list(reply.payload[0]))
            elif reply.kind == "chunks":
                file_index, batch, seconds, flops = reply.payload
                self.sig_chunks_scored.emit(job.job_id, file_index, (batch, seconds, flops))
            elif reply.kind == "file":
                self.sig_file_scored.emit(job.job_id, reply.payload[0], reply.payload[1])
            elif reply.kind == "end":
                end.append(reply.payload)
                ended.set()

        client = shared_client()
        client.set_budget(resolve_budget(job.memory_budget))   # a worker started under another one is replaced
        request_id = client.submit(request, on_reply)
        asked = False
        while not ended.wait(0.05):
            if self.cancel_event.is_set() and not asked:
                client.cancel(request_id)   # stops between chunks, or the process is killed after 0.7 s
                asked = True
        return end[0]

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
