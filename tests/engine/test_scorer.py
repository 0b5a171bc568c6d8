"""Streaming scorer: per-byte alignment, progress, cancellation, winner rules, hover predictions, precision."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest

from soma_desktop.engine.errors import DataError, EngineError, EvalCancelled
from soma_desktop.engine.scorer import (
    cosine_distance,
    iter_score,
    score_bytes,
    select_winner,
    top_predictions,
)
from soma_desktop.engine.weights import load_model
from tests.engine.conftest import random_bytes


@pytest.mark.parametrize("size", [1, 5, 1023, 1024, 2048, 2500])
def test_per_byte_nll_gaps(tiny_model, size):
    nll = score_bytes([tiny_model], random_bytes(size)).models[0].per_byte_nll
    assert nll.shape == (size + 1,)
    gaps = {i for i in range(size + 1) if math.isnan(nll[i])}
    expected = set(range(0, size + 1, 1024))  # chunk starts, and EOS only when size % 1024 == 0
    assert gaps == expected
    assert (nll[~np.isnan(nll)] > 0).all()


def test_progress_is_streamed_and_final_partial_equals_result(tiny_model, tiny_weights_b):
    other = load_model(tiny_weights_b, num_heads=4, device="cpu")
    data = random_bytes(17 * 1024 + 3)
    evaluation = iter_score([tiny_model, other], data)
    steps = list(evaluation)
    result = evaluation.result
    assert [s.steps_done for s in steps] == list(range(1, 37)) and steps[-1].steps_total == 36
    assert [s.model_index for s in steps] == [0] * 18 + [1] * 18
    for progress in steps[:18]:
        expected = result.models[0].per_byte_nll[progress.offset:progress.offset + len(progress.nll)]
        np.testing.assert_array_equal(progress.nll, expected)
    assert steps[17].partial_loss == pytest.approx(result.models[0].loss, abs=1e-6)
    np.testing.assert_allclose(steps[17].partial_embedding, result.models[0].embedding, atol=1e-6)
    assert steps[0].partial_loss != steps[15].partial_loss


def test_cancel_event_stops_between_chunks(tiny_model):
    cancel = threading.Event()
    seen = []

    def on_chunk(progress):
        seen.append(progress.chunk_index)
        if progress.chunk_index == 1:
            cancel.set()

    with pytest.raises(EvalCancelled):
        score_bytes([tiny_model], random_bytes(5 * 1024), cancel=cancel, on_chunk=on_chunk)
    assert seen == [0, 1]


def test_cancel_callable(tiny_model):
    calls = []
    with pytest.raises(EvalCancelled):
        score_bytes([tiny_model], random_bytes(3000), cancel=lambda: calls.append(1) or len(calls) > 2)
    assert len(calls) == 3


def test_winner_is_lowest_loss_ties_to_first(tiny_model, tiny_weights_b):
    other = load_model(tiny_weights_b, num_heads=4, device="cpu")
    data = random_bytes(3000, seed=9)
    result = score_bytes([tiny_model, other, tiny_model], data)
    losses = [m.loss for m in result.models]
    assert losses[0] == losses[2]
    assert result.winner == (0 if losses[0] <= losses[1] else 1)
    assert select_winner([1.0, 0.5, 0.5]) == 1
    assert select_winner([float("nan"), 0.1]) == 0 and select_winner([0.2, float("nan")]) == 0


def test_distance_to_target(tiny_model):
    data = random_bytes(1500)
    embedding = score_bytes([tiny_model], data).models[0].embedding
    result = score_bytes([tiny_model], data, target_embedding=embedding * 3.0)
    assert result.models[0].distance == pytest.approx(0.0, abs=1e-6)
    assert score_bytes([tiny_model], data, target_embedding=-embedding).models[0].distance == pytest.approx(2.0)
    assert cosine_distance(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(1.0)
    with pytest.raises(EngineError):
        score_bytes([tiny_model], data, target_embedding=[1.0, 2.0])


def test_top_predictions_match_per_byte_nll(tiny_model):
    data = random_bytes(2100, seed=4)
    nll = score_bytes([tiny_model], data).models[0].per_byte_nll
    predictions = top_predictions(tiny_model, data, 1020, 2101, k=3)
    assert [p.offset for p in predictions] == list(range(1020, 2101))
    for p in predictions:
        if math.isnan(nll[p.offset]):
            assert p.nll is None and p.top == ()
        else:
            assert p.nll == pytest.approx(float(nll[p.offset]), abs=1e-5)
            assert len(p.top) == 3 and p.top[0][1] >= p.top[1][1] >= p.top[2][1]
    assert predictions[-1].actual == 257  # EOS after the last byte
    assert predictions[1024 - 1020].top == ()  # chunk start: no context


def test_fast_precision_is_close(tiny_model):
    data = random_bytes(3000, seed=2)
    exact = score_bytes([tiny_model], data, precision="exact").models[0]
    fast = score_bytes([tiny_model], data, precision="fast").models[0]
    assert fast.loss == pytest.approx(exact.loss, abs=0.05)
    assert np.nanmax(np.abs(fast.per_byte_nll - exact.per_byte_nll)) < 0.2


def test_rejects_bad_requests(tiny_model):
    with pytest.raises(DataError):
        score_bytes([tiny_model], b"")
    with pytest.raises(DataError):
        score_bytes([tiny_model], bytes(1_048_577))
    with pytest.raises(EngineError):
        score_bytes([tiny_model], b"x", precision="half")
    with pytest.raises(EngineError):
        score_bytes([], b"x")
    with pytest.raises(EngineError, match="u64"):
        score_bytes([tiny_model], b"x", seed=-1)


def test_largest_network_file(tiny_model):
    """1 MiB = 1024 chunks = 64 batches: every chunk start and the (absent) EOS slot are gaps."""
    size = 1_048_576
    progress_sizes = []
    result = score_bytes([tiny_model], random_bytes(size, seed=5),
                         on_chunk=lambda p: progress_sizes.append(len(p.nll))).models[0]
    assert len(progress_sizes) == 1024 and set(progress_sizes) == {1023}
    assert int(np.isnan(result.per_byte_nll).sum()) == 1025
    assert math.isfinite(result.loss) and result.embedding.shape == (32,)


def test_fast_mode_stays_within_the_accuracy_budget_on_a_demo_model():
    """Fast (packed bf16) vs exact on a real trained model: loss within 1e-3 (the budget fast mode promises)."""
    from soma_desktop.engine.demo import list_demo_models
    from soma_desktop.engine.weights import load_model

    demo = next(d for d in list_demo_models() if d.weights_path.is_file())
    model = load_model(demo.weights_path, device="cpu")
    data = (Path(__file__).read_bytes() * 8)[:16384]
    exact = score_bytes([model], data).models[0]
    fast = score_bytes([model], data, precision="fast").models[0]
    assert fast.loss != exact.loss   # really the bf16 path
    assert abs(fast.loss - exact.loss) <= 1e-3
    assert float(np.max(np.abs(fast.embedding - exact.embedding))) < 1e-2
