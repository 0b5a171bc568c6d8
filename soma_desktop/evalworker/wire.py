"""The worker's replies on the wire: JSON plus raw array buffers, never pickle.

The worker parses untrusted weights; if a crafted file ever took control of it, a pickled reply would let it
run code in the caller (the process holding the wallet keys). So replies are decoded by this small format
that can only build plain values, numpy arrays of a few dtypes and the engine's own result types.

Frame: u32 little-endian header length, UTF-8 JSON header, then the array buffers back to back.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from typing import Any

import numpy as np

from soma_desktop.engine.results import BytePrediction, ChunkProgress, EvalResult, ModelScore
from soma_desktop.evalworker.messages import MatmulSpeed, Reply

MAX_FRAME = 512 * 2**20       # a final result of several models over 1 MiB is ~20 MB
_TYPES = {cls.__name__: cls for cls in (BytePrediction, ChunkProgress, EvalResult, ModelScore, MatmulSpeed, Reply)}
_DTYPES = {"<f4", "<f8", "<i8", "<i4", "|u1", "|b1"}


class WireError(ValueError):
    """A reply that does not decode: the worker is no longer trusted."""


def encode(value: object) -> bytes:
    buffers: list[bytes] = []
    header = json.dumps(_pack(value, buffers), allow_nan=True).encode()
    return struct.pack("<I", len(header)) + header + b"".join(buffers)


def _pack(value: object, buffers: list[bytes]) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        buffers.append(array.tobytes())
        return {"$a": [array.dtype.str, list(array.shape), len(buffers[-1])]}
    if isinstance(value, (list, tuple)):
        items = [_pack(v, buffers) for v in value]
        return items if isinstance(value, list) else {"$u": items}
    if isinstance(value, dict):
        return {"$d": [[_pack(k, buffers), _pack(v, buffers)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _TYPES:
        return {"$t": type(value).__name__,
                "f": {f.name: _pack(getattr(value, f.name), buffers) for f in dataclasses.fields(value)}}
    raise TypeError(f"cannot send {type(value).__name__} over the worker wire")


def decode(frame: bytes) -> Any:
    if len(frame) < 4:
        raise WireError("short frame")
    (length,) = struct.unpack_from("<I", frame)
    if length > len(frame) - 4:
        raise WireError("truncated header")
    try:
        header = json.loads(frame[4:4 + length].decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"bad header: {exc}") from None
    cursor = [4 + length]
    try:
        value = _unpack(header, frame, cursor)
    except (RecursionError, TypeError) as exc:   # unhashable keys, too deep, wrong field types
        raise WireError(f"bad value: {type(exc).__name__}") from None
    if cursor[0] != len(frame):
        raise WireError("trailing bytes")
    return value


def _unpack(node: object, frame: bytes, cursor: list[int]) -> Any:
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_unpack(v, frame, cursor) for v in node]
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise WireError("unexpected node")
    if "$u" in node:
        return tuple(_unpack(v, frame, cursor) for v in _list(node["$u"]))
    if "$d" in node:
        return {_unpack(k, frame, cursor): _unpack(v, frame, cursor) for k, v in (_pair(p) for p in _list(node["$d"]))}
    if "$a" in node:
        return _array(node["$a"], frame, cursor)
    if "$t" in node and isinstance(node.get("f"), dict):
        cls = _TYPES.get(node["$t"])
        if cls is None:
            raise WireError(f"unknown type {node['$t']!r}")
        fields = {f.name for f in dataclasses.fields(cls)}
        if set(node["f"]) != fields:
            raise WireError(f"bad fields for {cls.__name__}")
        return cls(**{k: _unpack(v, frame, cursor) for k, v in node["f"].items()})
    raise WireError("unexpected node")


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise WireError("expected a list")
    return value


def _pair(value: object) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise WireError("expected a pair")
    return value[0], value[1]


def _array(spec: object, frame: bytes, cursor: list[int]) -> np.ndarray:
    if (not isinstance(spec, list) or len(spec) != 3 or spec[0] not in _DTYPES or not isinstance(spec[1], list)
            or not all(type(d) is int and d >= 0 for d in spec[1]) or type(spec[2]) is not int):
        raise WireError("bad array")
    dtype, shape, nbytes = np.dtype(spec[0]), tuple(spec[1]), spec[2]
    count = 1
    for dim in shape:
        count *= dim
    if count * dtype.itemsize != nbytes or cursor[0] + nbytes > len(frame):
        raise WireError("array size mismatch")
    array = np.frombuffer(frame, dtype=dtype, count=count, offset=cursor[0]).reshape(shape).copy()
    cursor[0] += nbytes
    return array
