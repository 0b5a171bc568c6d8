from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from soma_models.v1.tokenizer import tokenize

from soma_desktop.engine.contract import (
    EOS,
    PAD,
    SEQ_LEN,
    check_data,
    make_chunk,
    num_batches,
    num_chunks,
    num_targets,
    predicted_offset_slots,
    slot_for_offset,
)
from soma_desktop.engine.errors import DataError


@pytest.mark.parametrize("size", [1, 2, 1023, 1024, 1025, 2048, 5000])
def test_chunks_match_soma_models_tokenizer(size):
    data = bytes((i * 37 + 11) % 256 for i in range(size))
    reference = tokenize(data)
    assert num_chunks(size) == len(reference)
    for index, ref in enumerate(reference):
        chunk = make_chunk(data, index)
        assert chunk.tokens.tolist() == ref.token_ids
        assert chunk.targets.tolist() == ref.targets
        assert chunk.positions.tolist() == ref.pos_ids


def test_eos_only_on_short_final_chunk():
    assert EOS not in make_chunk(bytes(2048), 1).tokens
    short = make_chunk(bytes(1030), 1)
    assert short.tokens[6] == EOS and (short.tokens[7:] == PAD).all()
    assert (short.positions[6:] == 1030).all()


def test_sizes_and_limits():
    assert num_targets(1024) == 1023 and num_targets(100) == 100 and num_targets(1025) == 1024
    assert num_batches(16 * 1024) == 1 and num_batches(16 * 1024 + 1) == 2
    with pytest.raises(DataError):
        check_data(b"")
    with pytest.raises(DataError, match="1 MiB"):
        check_data(bytes(1_048_577))
    check_data(bytes(1_048_576))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=5 * SEQ_LEN))
def test_every_target_has_exactly_one_offset(size):
    data = bytes(size)
    seen = []
    for index in range(num_chunks(size)):
        chunk = make_chunk(data, index)
        start, count = predicted_offset_slots(chunk)
        assert (chunk.targets[:count] != PAD).all() and (chunk.targets[count:] == PAD).all()
        for slot in range(count):
            assert slot_for_offset(start + slot, size) == (index, slot)
        seen.extend(range(start, start + count))
    assert len(seen) == num_targets(size) == len(set(seen))
    missing = sorted(set(range(size + 1)) - set(seen))
    expected = list(range(0, size + 1, SEQ_LEN))
    assert missing == expected and all(slot_for_offset(o, size) is None for o in missing)
    assert np.all(np.diff(seen) > 0)
