"""The reply wire format: round-trips the engine's results, refuses anything else (no pickle)."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.engine.results import BytePrediction, ChunkProgress, EvalResult, ModelScore
from soma_desktop.evalworker.messages import MatmulSpeed, Reply
from soma_desktop.evalworker.wire import WireError, decode, encode


def test_results_round_trip_exactly():
    nll = np.array([np.nan, 1.5, 2.25], dtype=np.float32)
    score = ModelScore("w.safetensors", 1.0, 0.9, 5.0, 2.0, np.arange(4, dtype=np.float32), None, nll)
    result = EvalResult(2, [score], 0)
    progress = ChunkProgress(0, 0, 1, 1, nll[1:], 1.25, np.ones(4, dtype=np.float32), 1, 1)
    for reply in (Reply("file", 3, (0, result)), Reply("chunks", 4, (0, [progress], 0.5, 10**12)),
                  Reply("result", 5, (BytePrediction(3, 108, 6.07, ((80, 0.03), (255, 0.02))),)),
                  Reply("result", 6, (MatmulSpeed(1e11, 3e11),)), Reply("ready", 0, (123, {"RLIMIT_AS": 2**40}))):
        back = decode(encode(reply))
        assert type(back) is Reply and back.kind == reply.kind and back.request_id == reply.request_id
    back = decode(encode(Reply("file", 3, (0, result)))).payload[1]
    assert back.models[0].per_byte_nll.dtype == np.float32 and math.isnan(back.models[0].per_byte_nll[0])
    np.testing.assert_array_equal(back.models[0].per_byte_nll, nll)
    assert back.models[0].distance is None and back.winner == 0


def _frame(header: bytes, tail: bytes = b"") -> bytes:
    return struct.pack("<I", len(header)) + header + tail


@pytest.mark.parametrize("frame", [
    _frame(b'{"$t": "Popen", "f": {}}'),                                   # not one of ours
    _frame(b'{"$t": "Reply", "f": {"kind": "end"}}'),                      # missing fields
    _frame(b'{"$a": ["|O", [1], 8]}', b"\0" * 8),                            # object arrays
    _frame(b'{"$a": ["<f4", [4], 16]}', b"\0" * 8),                          # buffer too short
    _frame(b'{"$a": ["<f4", [1], 4]}', b"\0" * 8),                           # trailing bytes
    b"\xff\xff\xff\xff{}", b"\x01", _frame(b"\xff\xfe"), _frame(b"[1, {\"$x\": 2}]"),
    _frame(b'{"$d": [[[1], 2]]}'), _frame(b"[" * 5000 + b"]" * 5000),
])
def test_anything_else_is_refused(frame):
    with pytest.raises(WireError):
        decode(frame)


@given(st.binary(max_size=200))
def test_garbage_never_escapes_as_another_error(blob):
    try:
        decode(blob)
    except WireError:
        pass


def test_unknown_types_are_not_sent():
    with pytest.raises(TypeError):
        encode(Reply("result", 1, (object(),)))
