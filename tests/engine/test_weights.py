"""Weights pre-check: malformed files give one clean line naming the problem; good files load zero-copy."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from soma_desktop.engine.architecture import Architecture, expected_shapes
from soma_desktop.engine.errors import WeightsError
from soma_desktop.engine.header import MAX_HEADER_BYTES, read_header
from soma_desktop.engine.weights import load_model
from tests.engine.conftest import TINY, write_model


def _layout(shapes: dict[str, tuple[int, ...]], dtypes: dict[str, str] | None = None) -> tuple[dict, int]:
    header, offset = {}, 0
    for name, shape in shapes.items():
        dtype = (dtypes or {}).get(name, "F32")
        size = int(np.prod(shape, dtype=np.int64)) * {"F32": 4, "F64": 8, "I64": 8, "BF16": 2}[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    return header, offset


def _write(path: Path, header_json: bytes, data_len: int) -> Path:
    path.write_bytes(struct.pack("<Q", len(header_json)) + header_json + bytes(data_len))
    return path


def _canonical(path: Path, shapes=None, dtypes=None) -> Path:
    header, size = _layout(shapes or expected_shapes(TINY), dtypes)
    return _write(path, json.dumps(header).encode(), size)


def _assert_one_line(exc: pytest.ExceptionInfo, *needles: str) -> None:
    message = str(exc.value)
    assert "\n" not in message and message
    for needle in needles:
        assert needle in message, message


def test_truncated_file(tmp_path, tiny_weights):
    blob = tiny_weights.read_bytes()
    path = tmp_path / "cut.safetensors"
    path.write_bytes(blob[:-100])
    with pytest.raises(WeightsError) as exc:
        load_model(path, num_heads=4)
    _assert_one_line(exc, "truncated")


def test_truncated_inside_header(tmp_path, tiny_weights):
    path = tmp_path / "cut.safetensors"
    path.write_bytes(tiny_weights.read_bytes()[:50])
    with pytest.raises(WeightsError) as exc:
        load_model(path, num_heads=4)
    _assert_one_line(exc, "truncated")


def test_wrong_shape_names_tensor(tmp_path):
    shapes = dict(expected_shapes(TINY))
    shapes["encoder.layers.1.attention.key.weight"] = (32, 16)
    with pytest.raises(WeightsError) as exc:
        load_model(_canonical(tmp_path / "w.safetensors", shapes), num_heads=4)
    _assert_one_line(exc, "encoder.layers.1.attention.key.weight", "[32, 16]", "[32, 32]")


def test_missing_tensor_names_it(tmp_path):
    shapes = dict(expected_shapes(TINY))
    del shapes["final_norm.beta"]
    with pytest.raises(WeightsError) as exc:
        load_model(_canonical(tmp_path / "w.safetensors", shapes), num_heads=4)
    _assert_one_line(exc, "final_norm.beta", "missing")


def test_duplicate_keys_rejected(tmp_path):
    header, size = _layout(expected_shapes(TINY))
    text = json.dumps(header)
    entry = json.dumps(header["final_norm.gamma"])
    text = text[:-1] + f', "final_norm.gamma": {entry}}}'
    with pytest.raises(WeightsError) as exc:
        read_header(_write(tmp_path / "dup.safetensors", text.encode(), size))
    _assert_one_line(exc, "duplicate", "final_norm.gamma")


def test_huge_header_rejected_before_reading(tmp_path):
    path = tmp_path / "huge.safetensors"
    path.write_bytes(struct.pack("<Q", MAX_HEADER_BYTES + 1) + b"{}")
    with pytest.raises(WeightsError) as exc:
        load_model(path)
    _assert_one_line(exc, "limit")


def test_wrong_dtype_names_tensor(tmp_path):
    path = _canonical(tmp_path / "w.safetensors", dtypes={"predictor.bias": "F64"})
    with pytest.raises(WeightsError) as exc:
        load_model(path, num_heads=4)
    _assert_one_line(exc, "predictor.bias", "F64", "F32")


@pytest.mark.parametrize("header", [
    b"not json at all",
    b"[1, 2, 3]",
    b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}',  # span does not match shape
    b'{"a": {"dtype": "Q99", "shape": [1], "data_offsets": [0, 4]}}',
    b'{"a": {"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}}',
    b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
    b'"b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
    b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}',
    b"\xff\xfe{}",
])
def test_malformed_headers(tmp_path, header):
    with pytest.raises(WeightsError) as exc:
        read_header(_write(tmp_path / "bad.safetensors", header, 8))
    _assert_one_line(exc)


def test_trailing_bytes_rejected(tmp_path, tiny_weights):
    path = tmp_path / "long.safetensors"
    path.write_bytes(tiny_weights.read_bytes() + b"\0" * 16)
    with pytest.raises(WeightsError) as exc:
        load_model(path, num_heads=4)
    _assert_one_line(exc, "unexpected bytes")


def test_missing_file_and_heads(tmp_path, tiny_weights):
    with pytest.raises(WeightsError, match="not found"):
        load_model(tmp_path / "nope.safetensors")
    with pytest.raises(WeightsError) as exc:
        load_model(tiny_weights, num_heads=5)
    _assert_one_line(exc, "5 heads")


def test_architecture_inferred_and_extra_keys_ignored(tmp_path):
    arch = Architecture(embedding_dim=48, num_layers=3, num_heads=8, ffn_dim=96)
    shapes = dict(expected_shapes(arch))
    shapes["optimizer.step"] = (1,)
    path = _canonical(tmp_path / "w.safetensors", shapes)
    model = load_model(path)  # default 8 heads
    assert model.architecture == arch
    assert model.unused_keys == ["optimizer.step"]


def test_loaded_parameters_are_zero_copy_views_of_the_file(tmp_path):
    path = write_model(tmp_path / "w.safetensors", seed=3)
    model = load_model(path, num_heads=4, device="cpu")
    header = read_header(path)
    weight = model.module.encoder.layers[0].attention.query.weight
    info = header.tensors["encoder.layers.0.attention.query.weight"]
    on_disk = np.frombuffer(path.read_bytes()[header.data_start + info.begin:header.data_start + info.end],
                            dtype=np.float32).reshape(info.shape)
    assert weight.shape == (32, 32) and np.array_equal(weight.numpy(), on_disk)
    base = model.module.embedding.weight.data_ptr() - header.tensors["embedding.weight"].begin
    for name, param in model.module.named_parameters():  # each parameter sits at its file offset: no copies
        assert param.data_ptr() - base == header.tensors[name].begin, name
    assert not weight.requires_grad and weight.dtype == torch.float32
