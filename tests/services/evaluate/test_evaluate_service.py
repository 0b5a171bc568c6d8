"""EvaluateService against the real evaluation worker process and a bundled demo model, without Qt."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import pytest

from soma_desktop.engine.contract import num_chunks
from soma_desktop.evalworker import MatmulSpeed
from soma_desktop.services.evaluate.jobs import EvalJob
from soma_desktop.services.evaluate.results import RunResults
from soma_desktop.services.root import build_services

TIMEOUT_S = 240.0


class Recorder:
    """A RunListener that keeps every report in order; `ended` is set by on_exit (the run's last report)."""

    def __init__(self, cancel_on_first_chunk=None):
        self.events: list[tuple] = []
        self.ended = threading.Event()
        self._cancel = cancel_on_first_chunk

    def on_stage(self, text):
        self.events.append(("stage", text))

    def on_model_resolved(self, index, path):
        self.events.append(("resolved", index, path))

    def on_plan(self, chunk_flops):
        self.events.append(("plan", chunk_flops))

    def on_chunks(self, file_index, chunks, seconds, flops):
        self.events.append(("chunks", file_index, chunks, seconds, flops))
        if self._cancel is not None:
            self._cancel()

    def on_file(self, file_index, result):
        self.events.append(("file", file_index, result))

    def on_finished(self, outcome, message):
        self.events.append(("finished", outcome, message))

    def on_exit(self):
        self.events.append(("exit",))
        self.ended.set()

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]


@pytest.fixture
def service(tmp_path):
    return build_services(tmp_path).evaluate


@pytest.fixture(scope="module")
def demo():
    choices, note = asyncio.run(build_services(Path("/nonexistent")).evaluate.demo_models())
    assert choices, f"the bundled demo models are missing: {note}"
    return choices[0].ref


def test_the_catalogue_lists_every_bundled_demo_model(service):
    choices, note = asyncio.run(service.demo_models())
    assert note == "" and len(choices) == 3
    assert all(c.ref.source == "demo" and Path(c.ref.weights).is_file() and c.registry is None for c in choices)
    described = asyncio.run(service.describe_weights([Path(choices[0].ref.weights), Path(__file__)]))
    assert described[0][1].startswith("D ") and described[0][2] == ""
    assert described[1][1] == "" and described[1][2]            # not a safetensors file: the reason, never a crash


def test_a_run_streams_chunks_then_the_exact_file_result_and_ends_last(service, demo):
    data = ("A demo run, scored in the worker process.\n" * 60).encode()
    job = EvalJob(1, ((Path("demo.txt"), data),), (demo,), threads=1)
    recorder = Recorder()
    run = service.run(job, recorder)
    run.start()
    assert recorder.ended.wait(TIMEOUT_S) and run.join(5.0)
    kinds = recorder.kinds()
    assert kinds[0] == "stage" and kinds[-2:] == ["finished", "exit"]
    assert recorder.events[-2] == ("finished", "done", "")
    assert kinds.index("plan") < kinds.index("chunks") < kinds.index("file")
    results = RunResults.start(1, [(Path("demo.txt"), data, False, False)], [demo])
    for event in recorder.events:
        if event[0] == "chunks":
            for progress in event[2]:
                results.apply_chunk(event[1], progress)
    final = next(e[2] for e in recorder.events if e[0] == "file")
    assert final.size == len(data) and final.winner == 0 and final.models[0].per_byte_nll.shape == (len(data) + 1,)
    assert results.steps_done == num_chunks(len(data))
    streamed = results.files[0].models[0].nll
    assert np.array_equal(np.isnan(streamed), np.isnan(final.models[0].per_byte_nll))   # every chunk arrived
    assert np.allclose(streamed[~np.isnan(streamed)], final.models[0].per_byte_nll[~np.isnan(streamed)])


def test_cancel_stops_a_long_run_between_chunks(service, demo):
    data = (b"a long file that the user cancels after the first chunks\n" * 20_000)[:1_048_576]
    job = EvalJob(2, ((Path("big.txt"), data),), (demo,), threads=1)
    holder: list = []
    recorder = Recorder(cancel_on_first_chunk=lambda: holder[0].cancel())
    run = service.run(job, recorder)
    holder.append(run)
    run.start()
    assert recorder.ended.wait(TIMEOUT_S) and run.join(5.0) and not run.is_alive()
    assert recorder.events[-2] == ("finished", "cancelled", "cancelled") and recorder.kinds()[-1] == "exit"
    assert "file" not in recorder.kinds()
    chunks = sum(len(e[2]) for e in recorder.events if e[0] == "chunks")
    assert 0 < chunks < num_chunks(len(data))


def test_a_missing_weights_file_fails_with_one_plain_line(service, demo, tmp_path):
    missing = type(demo)("gone", str(tmp_path / "gone.safetensors"), "local")
    recorder = Recorder()
    run = service.run(EvalJob(3, ((Path("f.txt"), b"data"),), (missing,)), recorder)
    run.start()
    assert recorder.ended.wait(TIMEOUT_S)
    outcome, message = recorder.events[-2][1:]
    assert outcome == "failed" and "gone.safetensors" in message and "\n" not in message


def test_speed_is_measured_once_and_probes_answer_for_the_hovered_byte(service, demo):
    assert service.cached_matmul_speed() is None
    speed = asyncio.run(service.matmul_speed())
    assert isinstance(speed, MatmulSpeed) and speed.fp32_flops > 0 and speed.bf16_flops > 0
    assert service.cached_matmul_speed() is speed and asyncio.run(service.matmul_speed()) is speed
    data = b"hello, world: the probe predicts the next byte\n"
    prediction = asyncio.run(service.probe(demo.weights, "cpu", data, 5, k=3))
    assert prediction.offset == 5 and prediction.actual == data[5] and len(prediction.top) == 3
    assert prediction.nll is not None and prediction.nll > 0


def test_the_service_and_its_catalogue_never_import_torch(tmp_path):
    """services/ may use only the engine's torch-free modules: torch loads in the worker process alone."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[3]
    code = f"""
import asyncio, sys
from pathlib import Path
from soma_desktop.services.root import build_services
service = build_services(Path({str(tmp_path)!r})).evaluate
choices, _note = asyncio.run(service.demo_models())
described = asyncio.run(service.describe_weights([Path(choices[0].ref.weights)]))
print(len(choices), described[0][2] == "", "torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(repo)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "True", "False"]
