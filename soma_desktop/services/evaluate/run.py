"""One evaluation run on its own thread: fetch registry weights, then stream the worker's replies to a listener.

torch never loads in the caller's process: the run downloads and decrypts registry weights on its own thread
(network and disk I/O), then hands the job to the shared worker process (soma_desktop.evalworker) and passes
each reply to the `RunListener`. Cancel asks the worker to stop between chunks; the worker client kills it if it
has not stopped within 0.7 s, so a cancel always completes within a second. A crash of the worker process ends
the run with a plain message; the next run starts a fresh worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from soma_desktop.engine.budget import resolve_budget
from soma_desktop.engine.errors import EngineError
from soma_desktop.engine.results import ChunkProgress, EvalResult
from soma_desktop.evalworker import EvalRequest, Reply, WorkerClient
from soma_desktop.publish.downloader import DownloadError, UrlPolicy, fetch_model_weights
from soma_desktop.services.evaluate.jobs import EvalJob, RegistryWeights
from soma_desktop.services.evaluate.results import ModelRef

POLL_S = 0.05


class RunListener(Protocol):
    """What a run reports, on the run's thread or the worker client's reader thread (never the caller's)."""

    def on_stage(self, text: str) -> None:
        """e.g. 'Loading model 2/3…'."""

    def on_model_resolved(self, index: int, path: str) -> None:
        """A registry model is downloaded and decrypted at `path`."""

    def on_plan(self, chunk_flops: list[int]) -> None:
        """FLOPs per chunk of each model, once the worker has read the headers (the ETA's input)."""

    def on_chunks(self, file_index: int, chunks: list[ChunkProgress], seconds: float, flops: int) -> None:
        """A batch of chunks scored in `seconds` of compute."""

    def on_file(self, file_index: int, result: EvalResult) -> None:
        """The exact network numbers for that file."""

    def on_finished(self, outcome: str, message: str) -> None:
        """'done' | 'cancelled' | 'failed' with a one-line message; the run's last report but `on_exit`."""

    def on_exit(self) -> None:
        """The very last thing the thread does; `join()` then returns at once."""


class Cancelled(Exception):
    pass


def fetch_weights(ref: ModelRef, source: RegistryWeights, stage: Callable[[str], None],
                  cancelled: Callable[[], bool]) -> Path:
    """A registry model's plaintext weights file (cached); raises Cancelled when `cancelled()` turns true."""
    def progress(done: int, total: int) -> None:
        if total:
            stage(f"Downloading weights of {ref.label}: {done / 2**20:.1f} / {total / 2**20:.1f} MiB")
    try:
        return fetch_model_weights(source.manifest, source.key, source.cache_dir,
                                   policy=UrlPolicy(allow_loopback=source.allow_loopback),
                                   progress=progress, cancelled=cancelled)
    except InterruptedError:
        raise Cancelled() from None


def describe_failure(exc: Exception) -> str:
    """One line for the user: the engine's and the downloader's messages are written for them."""
    if isinstance(exc, EngineError):
        return str(exc)
    if isinstance(exc, DownloadError):
        return f"download failed: {exc}"
    if isinstance(exc, FileNotFoundError):
        return f"weights file not found: {exc.filename}"
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"{type(exc).__name__}: {first}"


class EvalRun:
    """Runs one EvalJob on its own thread (`start`); `cancel`, `is_alive` and `join` are thread-safe."""

    def __init__(self, job: EvalJob, listener: RunListener, client: Callable[[], WorkerClient]):
        self.job = job
        self._listener = listener
        self._client = client
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"soma-eval-{job.job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        """The worker stops before its next chunk (a download stops before its next part)."""
        self._cancel.set()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    # ---- the run's thread ----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            try:
                outcome, message = self._run()
            except Cancelled:
                outcome, message = "cancelled", "cancelled"
            except Exception as exc:  # noqa: BLE001 - every failure becomes a one-line message for the user
                outcome, message = "failed", describe_failure(exc)
            self._listener.on_finished(outcome, message)
        finally:
            self._listener.on_exit()

    def _run(self) -> tuple[str, str]:
        job, listener = self.job, self._listener
        listener.on_stage("Starting the model engine…")
        paths = self._weights_paths()
        if self._cancel.is_set():
            raise Cancelled()
        request = EvalRequest(files=tuple(data for _path, data in job.files), weights=tuple(paths),
                              labels=tuple(m.label for m in job.models), precision=job.precision,
                              device=job.device, threads=job.threads, seed=job.seed)
        ended = threading.Event()
        end: list[tuple[str, str]] = []

        def on_reply(reply: Reply) -> None:   # on the worker client's reader thread
            payload = reply.payload
            if reply.kind == "stage":
                listener.on_stage(payload[0])
            elif reply.kind == "plan":
                listener.on_plan(list(payload[0]))
            elif reply.kind == "chunks":
                listener.on_chunks(payload[0], payload[1], payload[2], payload[3])
            elif reply.kind == "file":
                listener.on_file(payload[0], payload[1])
            elif reply.kind == "end":
                end.append((payload[0], payload[1]))
                ended.set()

        client = self._client()
        client.set_budget(resolve_budget(self.job.memory_budget))   # a worker started under another one is replaced
        request_id = client.submit(request, on_reply)
        asked = False
        while not ended.wait(POLL_S):
            if self._cancel.is_set() and not asked:
                client.cancel(request_id)   # stops between chunks, or the process is killed after 0.7 s
                asked = True
        return end[0]

    def _weights_paths(self) -> list[str]:
        paths = []
        for index, ref in enumerate(self.job.models):
            source = self.job.registry.get(index)
            if source is None:
                paths.append(ref.weights)
                continue
            self._listener.on_stage(f"Downloading weights of {ref.label}…")
            path = str(fetch_weights(ref, source, self._listener.on_stage, self._cancel.is_set))
            self._listener.on_model_resolved(index, path)
            paths.append(path)
        return paths
