"""plan_submission refuses what the chain would reject (and keep the fee for) and prices the rest exactly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.network.types import Manifest, Target, TargetStatus
from soma_desktop.protocol.distance import cosine_distance
from soma_desktop.services.submit import CannotSubmit, plan_submission

DIM = 8
MODEL = "0x" + "ab" * 32
VECTOR = tuple(float(v) for v in np.linspace(1.0, 2.0, DIM, dtype=np.float32))


def _target(**changes) -> Target:
    base = Target("0x" + "cd" * 32, TargetStatus.OPEN, VECTOR, (MODEL,), 0.5, 12_685_185, 3)
    return dataclasses.replace(base, **changes)


def _plan(target: Target, data: bytes = b"x" * 100, embedding=VECTOR, loss: float | None = 2.5, model=MODEL):
    return plan_submission(target, model, Path("/tmp/data.bin"), data, embedding, loss, None)


@pytest.mark.parametrize(("target", "kwargs", "words"), [
    (_target(status=TargetStatus.FILLED), {}, "only open targets"),
    (_target(), {"model": "0x" + "ef" * 32}, "not assigned"),
    (_target(), {"data": b""}, "1 byte to 1 MiB"),
    (_target(), {"data": b"y" * (1_048_576 + 1)}, "1 byte to 1 MiB"),
    (_target(), {"loss": None}, "no final loss"),
    (_target(), {"embedding": VECTOR[:-1]}, "has 7 values"),
    (_target(distance_threshold=0.0), {"embedding": tuple(reversed(VECTOR))}, "above the target's threshold"),
])
def test_refusals_say_why(target, kwargs, words):
    with pytest.raises(CannotSubmit, match=words):
        _plan(target, **kwargs)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 1_048_576))
def test_bond_is_65_shannons_per_byte_and_the_total_adds_the_fee(size):
    plan = _plan(_target(), data=b"z" * size)
    assert plan.bond == 65 * size and plan.total == plan.bond + plan.fee.total
    assert plan.size == size and len(plan.checksum) == 32


def test_the_claimed_distance_is_the_f32_cosine_distance_and_the_threshold_passes_at_equality():
    embedding = tuple(float(v) for v in np.linspace(2.0, 1.0, DIM, dtype=np.float32))
    exact = cosine_distance(np.asarray(embedding, np.float32), np.asarray(VECTOR, np.float32))
    plan = _plan(_target(distance_threshold=float(np.float32(exact))), embedding=embedding)
    assert plan.distance == float(np.float32(exact))
    spec = plan.spec(Manifest("https://example.org/d.bin", plan.checksum, 100))
    assert spec.distance_score == plan.distance and spec.model_id == MODEL and spec.loss_score == (2.5,)
