"""Run controller: owns the evaluation job, folds streamed chunks into RunResults, newest run wins.

The scoring itself runs in the evaluation worker process (EvaluateService, adapted by ui/workers.py); this
object only folds the batches of chunk results it reports into the arrays the views draw, at the views' refresh
rate.

Starting a run while one is in flight cancels the old one first and queues the new one; it starts once
the old thread has acknowledged. Partial results stay in `results` after a cancel, labelled partial.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from soma_desktop.engine.contract import num_chunks
from soma_desktop.services.evaluate.eta import Eta, format_duration
from soma_desktop.services.evaluate.jobs import EvalJob, RegistryWeights
from soma_desktop.services.evaluate.results import ModelRef, RunResults
from soma_desktop.services.evaluate.service import EvaluateService
from soma_desktop.ui.workers import EvalWorker

REFRESH_MS = 150
FIRST_DRAW_MS = 16
MAX_REFRESH_MS = 2000
REFRESH_BUDGET = 0.2    # views may take at most ~20 % of the GUI thread's time while streaming


class RunController(QObject):
    # ---- Signals -----------------------------------------------------------------------------------
    sig_results_changed = Signal(object)
    """RunResults: new partial or final numbers (coalesced to a few updates per second)."""
    sig_progress_changed = Signal(object, object, str)
    """(steps done, steps total, status text with elapsed time and ETA)."""
    sig_state_changed = Signal(str)
    """'running', 'cancelling' or 'idle'."""
    sig_run_ended = Signal(str, str)
    """(outcome 'done' | 'cancelled' | 'failed', one-line message)."""

    def __init__(self, evaluate: EvaluateService, parent: QObject | None = None):
        super().__init__(parent)
        self._evaluate = evaluate
        self.results: RunResults | None = None
        self.state = "idle"
        self._job_ids = 0
        self._worker: EvalWorker | None = None
        self._pending: tuple[EvalJob, RunResults] | None = None
        self._stage = ""
        self._ended = ("done", "")
        self._eta = Eta()
        self._before_run = ""
        self._precision = "exact"
        self._started_at = 0.0
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    # ---- Public API --------------------------------------------------------------------------------
    def start(self, files: list[tuple[Path, bytes, bool, bool]], models: list[ModelRef], *, device: str = "auto",
              precision: str = "exact", threads: int = 0, seed: int = 0,
              registry: dict[int, RegistryWeights] | None = None, memory_budget: int = 0) -> int:
        """Queue a run of `models` over `files` ((path, data, truncated, binary)); returns its job id.
        `memory_budget`: bytes the worker may use (0: automatic)."""
        self._job_ids += 1
        self._precision = precision
        job = EvalJob(self._job_ids, tuple((path, data) for path, data, _t, _b in files), tuple(models),
                      device=device, precision=precision, threads=threads, seed=seed, registry=dict(registry or {}),
                      memory_budget=memory_budget)
        results = RunResults.start(job.job_id, files, models)
        if self.is_busy():
            self._pending = (job, results)
            self.cancel()
        else:
            self._launch(job, results)
        return job.job_id

    @property
    def precision(self) -> str:
        """The precision of the last run started."""
        return self._precision

    def cancel(self) -> None:
        """Ask the worker to stop after its current chunk; the state turns 'cancelling' until it does."""
        if self._worker is not None and self.is_busy():
            self._worker.cancel()
            self._set_state("cancelling")

    def is_busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def thread_finished(self) -> bool:
        """True when no evaluation thread is alive (none started, or the last one has ended)."""
        return not self.is_busy()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel and wait for the worker thread (window close); never leaves a running thread behind."""
        self._pending = None
        if self._worker is not None:
            self._worker.cancel()
            self._worker.join(timeout_ms / 1000)
        self._timer.stop()

    # ---- Private -----------------------------------------------------------------------------------
    def _launch(self, job: EvalJob, results: RunResults) -> None:
        self.results = results
        self._stage = "Starting…"
        self._started_at = time.monotonic()
        self._eta = Eta()
        self._before_run = ""
        worker = EvalWorker(self._evaluate, job)
        worker.sig_stage_changed.connect(self._on_worker_stage_changed)
        worker.sig_model_resolved.connect(self._on_worker_model_resolved)
        worker.sig_plan_known.connect(self._on_worker_plan_known)
        worker.sig_chunks_scored.connect(self._on_worker_chunks_scored)
        worker.sig_file_scored.connect(self._on_worker_file_scored)
        worker.sig_run_finished.connect(self._on_worker_run_finished)
        worker.sig_thread_exiting.connect(self._on_worker_thread_exiting)
        self._worker = worker
        self._set_state("running")
        self._timer.setInterval(REFRESH_MS)
        self._timer.start()
        worker.start()
        # The views draw the new (empty) results a frame later, in event-loop passes of their own rather than
        # right behind the caller's click (long before the worker's first result).
        self._dirty = True
        QTimer.singleShot(FIRST_DRAW_MS, self._on_timer_timeout)

    def _current(self, job_id: int) -> RunResults | None:
        """The results of `job_id` while it is the newest run, else None (a late reply of an older run)."""
        return self.results if self.results is not None and self.results.job_id == job_id else None

    @Slot(object, str)
    def _on_worker_stage_changed(self, job_id: int, text: str) -> None:
        if self._current(job_id):
            self._stage = text
            self._emit_progress()

    @Slot(object, object, str)
    def _on_worker_model_resolved(self, job_id: int, index: int, path: str) -> None:
        if (results := self._current(job_id)) is not None:
            for track in results.files:
                track.models[index].weights_path = path

    @Slot(object, object)
    def _on_worker_plan_known(self, job_id: int, chunk_flops: list) -> None:
        if (results := self._current(job_id)) is None:
            return
        self._eta.plan(chunk_flops, [num_chunks(f.size) for f in results.files])
        speed = self._evaluate.cached_matmul_speed()
        if speed is not None:
            self._before_run = self._eta.before_run(speed.fp32_flops, speed.bf16_flops, self._precision)
        self._emit_progress()

    @Slot(object, object, object)
    def _on_worker_chunks_scored(self, job_id: int, file_index: int, batch) -> None:
        """A batch of chunks (the worker sends a few per second): folded in at once, drawn on the next refresh."""
        if (results := self._current(job_id)) is None:
            return
        chunks, seconds, flops = batch
        for progress in chunks:
            results.apply_chunk(file_index, progress)
        self._eta.add(seconds, flops)
        progress = chunks[-1]
        track = results.files[file_index]
        self._stage = (f"Evaluating {track.label}: model {progress.model_index + 1}/{len(track.models)}, "
                       f"chunk {progress.chunk_index + 1}/{progress.chunks_total}")
        self._dirty = True

    @Slot(object, object, object)
    def _on_worker_file_scored(self, job_id: int, file_index: int, result) -> None:
        if (results := self._current(job_id)) is None:
            return
        paths = [m.weights_path or m.ref.weights for m in results.files[file_index].models]
        results.apply_file(file_index, result, paths)
        self._dirty = True

    @Slot(object, str, str)
    def _on_worker_run_finished(self, job_id: int, outcome: str, message: str) -> None:
        self._ended = (outcome, message)   # _on_worker_thread_exiting completes the hand-over
        if (results := self._current(job_id)) is not None:
            results.state = outcome
            results.message = message
            self._timer.stop()
            self._dirty = False
            self.sig_results_changed.emit(results)

    @Slot(object)
    def _on_worker_thread_exiting(self, job_id: int) -> None:
        worker = self._worker
        if worker is None or worker.job.job_id != job_id:
            return
        worker.join(5.0)                  # it emitted this as its last act: returns at once
        pending, self._pending = self._pending, None
        if pending is not None:
            self._launch(*pending)
            return
        self._set_state("idle")
        self._emit_progress()
        outcome, message = self._ended
        self.sig_run_ended.emit(outcome, message)

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._dirty and self.results is not None:
            self._dirty = False
            started = time.perf_counter()
            self.sig_results_changed.emit(self.results)
            spent_ms = (time.perf_counter() - started) * 1000
            # Adaptive rate: slow views (1 MiB series) refresh less often instead of stalling the GUI.
            self._timer.setInterval(int(min(MAX_REFRESH_MS, max(REFRESH_MS, spent_ms / REFRESH_BUDGET))))
        self._emit_progress()

    def _emit_progress(self) -> None:
        if self.results is None:
            return
        done, total = self.results.steps_done, max(1, self.results.steps_total)
        elapsed = time.monotonic() - self._started_at
        text = self._stage
        if self.state == "cancelling":
            text = "Cancelling…"
        elif self.results.state != "running":
            text = {"done": "Finished", "cancelled": f"Cancelled — partial results ({done}/{total} chunks)",
                    "failed": f"Failed: {self.results.message}"}[self.results.state]
        clock = f"{elapsed:.0f} s elapsed"
        left = self._eta.seconds_left()
        if self.results.state == "running" and done < total:
            if left is not None and done > 0:
                clock += f", about {format_duration(left)} left"
            elif self._before_run:
                clock += f" · {self._before_run}"
        self.sig_progress_changed.emit(done, total, f"{text} · {clock}")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.sig_state_changed.emit(state)
