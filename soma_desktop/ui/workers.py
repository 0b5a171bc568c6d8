"""The Qt side of an evaluation: EvaluateService's run callbacks become queued signals.

The run itself (weights download, the worker process, cancel, crash handling) is
services/evaluate/run.py; `EvalWorker` only re-emits what it reports. Every report comes from a non-GUI
thread (the run's own or the worker client's reader), so the signals reach GUI receivers queued.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from soma_desktop.engine.results import ChunkProgress, EvalResult
from soma_desktop.services.evaluate.jobs import EvalJob
from soma_desktop.services.evaluate.service import EvaluateService


class EvalWorker(QObject):
    """Runs one EvalJob through the service (`start`); every signal reaches GUI receivers queued."""

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

    def __init__(self, evaluate: EvaluateService, job: EvalJob):
        super().__init__()
        self.job = job
        self._run = evaluate.run(job, self)

    # ---- Public API (GUI thread) ---------------------------------------------------------------
    def start(self) -> None:
        self._run.start()

    def cancel(self) -> None:
        """Thread-safe: the engine stops before its next chunk."""
        self._run.cancel()

    def is_alive(self) -> bool:
        return self._run.is_alive()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        return self._run.join(timeout_s)

    # ---- RunListener (worker threads) ------------------------------------------------------------
    def on_stage(self, text: str) -> None:
        self.sig_stage_changed.emit(self.job.job_id, text)

    def on_model_resolved(self, index: int, path: str) -> None:
        self.sig_model_resolved.emit(self.job.job_id, index, path)

    def on_plan(self, chunk_flops: list[int]) -> None:
        self.sig_plan_known.emit(self.job.job_id, chunk_flops)

    def on_chunks(self, file_index: int, chunks: list[ChunkProgress], seconds: float, flops: int) -> None:
        self.sig_chunks_scored.emit(self.job.job_id, file_index, (chunks, seconds, flops))

    def on_file(self, file_index: int, result: EvalResult) -> None:
        self.sig_file_scored.emit(self.job.job_id, file_index, result)

    def on_finished(self, outcome: str, message: str) -> None:
        self.sig_run_finished.emit(self.job.job_id, outcome, message)

    def on_exit(self) -> None:
        self.sig_thread_exiting.emit(self.job.job_id)
