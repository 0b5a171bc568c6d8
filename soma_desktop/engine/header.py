"""Safetensors header pre-check (security.md §6.1): everything is validated before any tensor byte is read.

Layout: u64 little-endian header length, a UTF-8 JSON object {name: {dtype, shape, data_offsets}}, then the
data region. We parse the JSON ourselves so duplicate keys (which json.loads silently merges) are rejected.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from soma_desktop.core.regular_file import NotRegularFile, open_regular
from soma_desktop.engine.errors import WeightsError

# The canonical full-size header is ~43 KB; 16 MiB leaves room for extra keys yet bounds memory and parse time.
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_TENSORS = 100_000

DTYPE_SIZES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
    "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
    "U32": 4, "I32": 4, "F32": 4,
    "U64": 8, "I64": 8, "F64": 8,
}


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int  # offsets relative to the data region
    end: int


@dataclass(frozen=True)
class Header:
    path: Path
    header_len: int
    data_start: int  # absolute file offset of the data region
    file_size: int
    tensors: dict[str, TensorInfo]
    metadata: dict[str, str]


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise WeightsError(f"weights header: duplicate key '{_short(key)}'")
        seen[key] = value
    return seen


def _short(name: str, limit: int = 120) -> str:
    return name if len(name) <= limit else name[:limit] + "…"


def _is_int(value: object) -> bool:
    return type(value) is int  # bool is an int subclass and is not a valid size


def _parse_entry(name: str, entry: object) -> TensorInfo:
    label = f"weights header: tensor '{_short(name)}'"
    if not isinstance(entry, dict):
        raise WeightsError(f"{label} is not an object")
    dtype = entry.get("dtype")
    shape = entry.get("shape")
    offsets = entry.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_SIZES:
        raise WeightsError(f"{label} has unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise WeightsError(f"{label} has an invalid shape {shape!r}")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_int(o) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1]):
        raise WeightsError(f"{label} has invalid data_offsets {offsets!r}")
    nbytes = math.prod(shape) * DTYPE_SIZES[dtype]
    if offsets[1] - offsets[0] != nbytes:
        raise WeightsError(f"{label}: data_offsets span {offsets[1] - offsets[0]} bytes, "
                           f"but {dtype} {shape} needs {nbytes}")
    return TensorInfo(name, dtype, tuple(shape), offsets[0], offsets[1])


def _check_tiling(tensors: dict[str, TensorInfo], data_len: int) -> None:
    """Tensors must tile the data region exactly: no overlap (aliasing), no hole, nothing past the end."""
    cursor = 0
    for info in sorted(tensors.values(), key=lambda t: (t.begin, t.end)):
        if info.begin != cursor:
            what = "overlaps another tensor" if info.begin < cursor else "leaves a gap before it"
            raise WeightsError(f"weights header: tensor '{_short(info.name)}' {what}")
        cursor = info.end
    if cursor > data_len:
        raise WeightsError(f"weights file is truncated: the header declares {cursor} data bytes, "
                           f"the file holds {data_len}")
    if cursor < data_len:
        raise WeightsError(f"weights file has {data_len - cursor} unexpected bytes after the last tensor")


def read_header(path: str | os.PathLike[str]) -> Header:
    """Read and validate the header of `path`; raises WeightsError with a one-line reason."""
    path = Path(path)
    try:
        with open_regular(path) as handle:
            file_size = os.fstat(handle.fileno()).st_size
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise WeightsError(f"weights file {path.name} is too short to be safetensors ({file_size} bytes)")
            (header_len,) = struct.unpack("<Q", prefix)
            if header_len > MAX_HEADER_BYTES:
                raise WeightsError(f"weights header declares {header_len} bytes; the limit is {MAX_HEADER_BYTES}")
            if header_len > file_size - 8:
                raise WeightsError(f"weights file is truncated: header of {header_len} bytes, "
                                   f"file has {file_size} bytes")
            raw = handle.read(header_len)
    except NotRegularFile as exc:
        raise WeightsError(f"weights path {exc}") from None
    except FileNotFoundError:
        raise WeightsError(f"weights file not found: {path}") from None
    except IsADirectoryError:
        raise WeightsError(f"weights path is a directory: {path}") from None
    except PermissionError:
        raise WeightsError(f"weights file is not readable: {path}") from None
    return _parse_header(path, raw, header_len, file_size)


def _parse_header(path: Path, raw: bytes, header_len: int, file_size: int) -> Header:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WeightsError("weights header is not valid UTF-8") from None
    if not text.lstrip().startswith("{"):
        raise WeightsError("weights header is not a JSON object (not a safetensors file?)")
    try:
        parsed = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise WeightsError(f"weights header is not valid JSON: {str(exc).splitlines()[0][:200]}") from None
    if not isinstance(parsed, dict):
        raise WeightsError("weights header is not a JSON object")
    metadata = parsed.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise WeightsError("weights header: __metadata__ must map strings to strings")
    if len(parsed) > MAX_TENSORS:
        raise WeightsError(f"weights header lists {len(parsed)} tensors; the limit is {MAX_TENSORS}")
    tensors = {name: _parse_entry(name, entry) for name, entry in parsed.items()}
    data_start = 8 + header_len
    _check_tiling(tensors, file_size - data_start)
    return Header(path, header_len, data_start, file_size, tensors, metadata)
