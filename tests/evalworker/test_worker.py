"""The evaluation worker process: same numbers as the engine, cancel, crashes, memory budget, reuse."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from soma_desktop.engine.errors import EngineError, EvalCancelled
from soma_desktop.evalworker import EvalRequest, ProbeRequest, Reply, WorkerClient
from tests.engine.crafted import HUGE_FFN, write_sparse_model

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")
TEXT = b"the quick brown fox jumps over the lazy dog\n" * 400     # 17.6 KB: 18 chunks


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> tuple[Path, Path]:
    from tests.ui.evaluate.conftest import write_tiny_model

    root = tmp_path_factory.mktemp("worker-weights")
    return write_tiny_model(root / "a.safetensors", 1), write_tiny_model(root / "b.safetensors", 2)


@pytest.fixture(scope="module")
def client():
    worker = WorkerClient(budget=2 * 2**30, background=False)
    yield worker
    worker.close()


def _collect(client: WorkerClient, request) -> tuple[list[Reply], threading.Event, int]:
    replies: list[Reply] = []
    ended = threading.Event()

    def on_reply(reply: Reply) -> None:
        replies.append(reply)
        if reply.kind == "end":
            ended.set()
    return replies, ended, client.submit(request, on_reply)


def test_results_equal_the_engine_in_this_process(client, models):
    from soma_desktop.engine.scorer import score_bytes
    from soma_desktop.engine.weights import load_model

    replies, ended, _ = _collect(client, EvalRequest(files=(TEXT, b"x"), weights=tuple(map(str, models)), threads=1))
    assert ended.wait(120)
    assert replies[-1].payload == ("done", "")
    files = {r.payload[0]: r.payload[1] for r in replies if r.kind == "file"}
    local = score_bytes([load_model(m, device="cpu") for m in models], TEXT)
    for remote, here in zip(files[0].models, local.models):
        assert remote.loss == here.loss
        np.testing.assert_array_equal(remote.per_byte_nll, here.per_byte_nll)
        np.testing.assert_array_equal(remote.embedding, here.embedding)
    chunks = [p for r in replies if r.kind == "chunks" and r.payload[0] == 0 for p in r.payload[1]]
    assert [(p.model_index, p.chunk_index) for p in chunks] == [(m, c) for m in range(2) for c in range(18)]
    assert sum(1 for r in replies if r.kind == "chunks") < len(chunks)   # batched, not one message per chunk


def test_models_stay_warm_between_runs(client, models):
    request = EvalRequest(files=(b"warm",), weights=(str(models[0]),), threads=1)
    client.call(request)
    replies, ended, _ = _collect(client, request)
    assert ended.wait(60) and replies[-1].payload == ("done", "")
    assert not any(r.kind == "stage" and "Loading" in r.payload[0] for r in replies)


def test_cancel_stops_a_run_and_the_worker_serves_the_next(client, models):
    started = threading.Event()
    replies: list[Reply] = []

    def on_reply(reply: Reply) -> None:
        replies.append(reply)
        if reply.kind == "chunks":
            started.set()
    request_id = client.submit(EvalRequest(files=(TEXT * 50,), weights=(str(models[0]),), threads=1), on_reply)
    assert started.wait(60)
    pid = client.pid
    client.cancel(request_id)
    with pytest.raises(EvalCancelled):
        client.call(EvalRequest(files=(b"y",), weights=(str(models[0]),)), cancel=_set_event())
    assert client.call(ProbeRequest(str(models[0]), b"hello", 2)).actual == ord("l")
    assert replies[-1].kind == "end" and replies[-1].payload[0] == "cancelled"
    assert client.pid == pid   # cooperative: the same warm process


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@linux_only
def test_a_worker_that_ignores_cancel_is_terminated(models):
    worker = WorkerClient(budget=2**30, background=False, cancel_grace_s=0.3)
    try:
        assert worker.wait_ready(60) is not None
        old = worker.pid
        os.kill(old, signal.SIGSTOP)   # frozen: it cannot answer the cancel
        replies, ended, request_id = _collect(worker, EvalRequest(files=(b"z",), weights=(str(models[0]),)))
        worker.cancel(request_id)
        assert ended.wait(30)
        assert replies[-1].payload == ("cancelled", "cancelled")
        assert worker.call(EvalRequest(files=(b"again",), weights=(str(models[0]),))) is None
        assert worker.pid != old
    finally:
        worker.close()


@linux_only
@pytest.mark.parametrize("sig, words", [(signal.SIGSEGV, "crashed (SIGSEGV)"), (signal.SIGKILL, "out of memory")])
def test_a_crashed_worker_is_reported_and_replaced(models, sig, words):
    worker = WorkerClient(budget=2**30, background=False)
    try:
        started = threading.Event()
        replies: list[Reply] = []
        ended = threading.Event()

        def on_reply(reply: Reply) -> None:
            replies.append(reply)
            started.set() if reply.kind == "chunks" else None
            ended.set() if reply.kind == "end" else None
        worker.submit(EvalRequest(files=(TEXT * 50,), weights=(str(models[0]),), threads=1), on_reply)
        assert started.wait(60)
        os.kill(worker.pid, sig)
        assert ended.wait(30)
        outcome, message = replies[-1].payload
        assert outcome == "failed" and words in message
        assert worker.call(EvalRequest(files=(b"after the crash",), weights=(str(models[0]),))) is None
    finally:
        worker.close()


def test_crafted_weights_are_refused_by_the_worker_before_loading(client, tmp_path):
    huge = write_sparse_model(tmp_path / "huge.safetensors", HUGE_FFN)
    with pytest.raises(EngineError) as refused:
        client.call(EvalRequest(files=(b"a" * 2048,), weights=(str(huge),), labels=("crafted",)))
    message = str(refused.value)
    assert message.startswith("crafted needs about") and "budget is 2.0 GiB" in message
    with pytest.raises(EngineError, match="huge.safetensors needs about"):   # a hover probe is checked too
        client.call(ProbeRequest(str(huge), b"a" * 2048, 5))


@linux_only
def test_the_worker_is_spawned_and_runs_under_memory_limits(client):
    client.wait_ready(60)
    cmdline = Path(f"/proc/{client.pid}/cmdline").read_bytes()
    assert b"spawn_main" in cmdline   # a fresh interpreter, not a fork of the caller
    limits = Path(f"/proc/{client.pid}/limits").read_text()
    data_line = next(line for line in limits.splitlines() if line.startswith("Max data size"))
    assert int(data_line.split()[3]) < 2 * 2**30 + 2 * 2**30   # budget + torch + slack, not unlimited


def test_bad_weights_fail_with_one_line(client, tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"junk")
    with pytest.raises(EngineError) as failed:
        client.call(EvalRequest(files=(b"a",), weights=(str(junk),), labels=("junk",)))
    assert str(failed.value).startswith("junk: weights file junk.safetensors is too short")


def test_corpus_embedding_in_the_worker_reports_each_file_and_equals_the_engine(client, models, tmp_path):
    from soma_desktop.engine.scorer import suggest_model_embedding
    from soma_desktop.engine.weights import load_model
    from soma_desktop.evalworker import EmbedRequest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(TEXT)
    (corpus / "b.txt").write_bytes(b"def f(x):\n    return x * 2\n" * 100)
    (corpus / ".hidden").write_bytes(b"never read")
    progress: list[tuple] = []
    vector = client.call(EmbedRequest(str(models[0]), str(corpus), 128),
                         on_reply=lambda r: progress.append(r.payload[:2]) if r.kind == "progress" else None)
    assert progress == [(0, 2), (1, 2), (2, 2)]
    here = suggest_model_embedding(load_model(models[0], device="cpu"),
                                   [TEXT, b"def f(x):\n    return x * 2\n" * 100])
    np.testing.assert_array_equal(np.asarray(vector, dtype=np.float32), here)
    with pytest.raises(EngineError, match="have 128 dimensions; this network's targets have 64"):
        client.call(EmbedRequest(str(models[0]), str(corpus), 64))


def test_cli_jobs_gives_the_same_numbers_as_one_process(models, tmp_path):
    import json
    import subprocess

    data = tmp_path / "data.txt"
    data.write_bytes(TEXT)
    base = [sys.executable, "-m", "soma_desktop", "eval", "--json", "--threads", "2",
            "--weights", str(models[0]), "--weights", str(models[1]), str(data)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    one = subprocess.run(base, capture_output=True, text=True, env=env, timeout=300)
    two = subprocess.run(base + ["--jobs", "2"], capture_output=True, text=True, env=env, timeout=300)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_cli_refuses_crafted_weights_before_loading(tmp_path):
    import subprocess

    huge = write_sparse_model(tmp_path / "huge.safetensors", HUGE_FFN)
    data = tmp_path / "data.txt"
    data.write_bytes(b"x" * 2048)
    done = subprocess.run([sys.executable, "-m", "soma_desktop", "eval", "--memory-budget", "4G", "--num-heads", "8",
                           "--weights", str(huge), str(data)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode == 1
    assert "huge.safetensors needs about" in done.stderr and "budget is 4.0 GiB" in done.stderr


@linux_only
def test_a_new_budget_starts_a_fresh_worker_and_the_busy_one_ends_its_request_first(models):
    def data_limit(pid: int) -> int:
        limits = Path(f"/proc/{pid}/limits").read_text()
        return int(next(line for line in limits.splitlines() if line.startswith("Max data size")).split()[3])

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
        except FileNotFoundError:
            return False

    worker = WorkerClient(budget=2**30, background=False)
    try:
        worker.wait_ready(60)
        first, small = worker.pid, data_limit(worker.pid)
        # ~860 chunks: still scoring while the budget changes; it is never killed for a new budget.
        replies, ended, request = _collect(worker, EvalRequest(files=(TEXT * 50,), weights=(str(models[0]),),
                                                               threads=1))
        worker.set_budget(5 * 2**30)
        assert worker.wait_ready(60) is not None and worker.pid != first   # the next request: a fresh worker
        assert data_limit(worker.pid) - small >= 4 * 2**30 - 2**28       # whose RLIMIT follows the new budget
        assert alive(first) and not ended.is_set()                        # the busy one still scores
        worker.cancel(request)
        assert ended.wait(120) and replies[-1].payload[0] == "cancelled"  # its request ends normally ...
        deadline = time.monotonic() + 30
        while alive(first) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(first)                                           # ... then the old worker stops
        replies, ended, _ = _collect(worker, EvalRequest(files=(TEXT,), weights=(str(models[0]),), threads=1))
        assert ended.wait(120) and replies[-1].payload == ("done", "")
    finally:
        worker.close()
