"""Fuzz the safetensors header parser: any file is accepted or refused with WeightsError, nothing else."""

from __future__ import annotations

import json
import struct
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.engine.errors import WeightsError
from soma_desktop.engine.header import DTYPE_SIZES, read_header
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON_VALUES, mutated


def _file(header: bytes, data_len: int) -> bytes:
    return struct.pack("<Q", len(header)) + header + b"\0" * data_len


def _valid() -> bytes:
    header = json.dumps({"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                         "b": {"dtype": "U8", "shape": [4], "data_offsets": [24, 28]},
                         "__metadata__": {"format": "pt"}}).encode()
    return _file(header, 28)


def _read(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.safetensors"
        path.write_bytes(content)
        try:
            header = read_header(path)
        except WeightsError:
            return
        end = max((t.end for t in header.tensors.values()), default=0)
        assert header.data_start + end == header.file_size   # accepted => tiles the file exactly


ENTRY = st.fixed_dictionaries({
    "dtype": st.one_of(st.sampled_from(sorted(DTYPE_SIZES)), JSON_VALUES),
    "shape": st.one_of(st.lists(st.integers(-2, 2 ** 40), max_size=4), JSON_VALUES),
    "data_offsets": st.one_of(st.lists(st.integers(-2, 2 ** 64), min_size=2, max_size=2), JSON_VALUES),
})


def test_the_valid_file_parses():
    _read(_valid())


@fuzz()
@given(st.one_of(mutated(_valid()), st.binary(max_size=120)))
def test_mutated_files(content):
    _read(content)


@fuzz()
@given(st.dictionaries(st.text(max_size=8), st.one_of(ENTRY, JSON_VALUES), max_size=5),
       st.integers(0, 200), st.integers(-3, 3))
def test_structured_headers(header, data_len, length_skew):
    raw = json.dumps(header).encode()
    content = struct.pack("<Q", max(0, len(raw) + length_skew)) + raw + b"\0" * data_len
    _read(content)
