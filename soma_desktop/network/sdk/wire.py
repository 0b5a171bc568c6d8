"""The Protocol Buffers wire format, just enough to read one soma RPC answer without soma-sdk.

Encoding rules: https://protobuf.dev/programming-guides/encoding/ (varint keys `field << 3 | wire type`,
varint / 64-bit / length-delimited / 32-bit payloads; groups are obsolete and refused). The input is untrusted:
every read is bounds-checked and every malformed byte string raises `WireError` (a ValueError).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

VARINT, I64, LEN, I32 = 0, 1, 2, 5
_U64 = (1 << 64) - 1
_MAX_FIELD = (1 << 29) - 1

Value = int | memoryview


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


# --- encoding (the request is tiny; tests round-trip these against the decoder) --------------------

def encode_varint(value: int) -> bytes:
    if not 0 <= value <= _U64:
        raise WireError(f"varint out of range: {value}")
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_key(field: int, wire_type: int) -> bytes:
    if not 1 <= field <= _MAX_FIELD or wire_type not in (VARINT, I64, LEN, I32):
        raise WireError(f"bad field key {field}/{wire_type}")
    return encode_varint(field << 3 | wire_type)


def uint_field(field: int, value: int) -> bytes:
    return encode_key(field, VARINT) + encode_varint(value)


def len_field(field: int, payload: bytes) -> bytes:
    return encode_key(field, LEN) + encode_varint(len(payload)) + payload


def fixed_field(field: int, wire_type: int, value: int) -> bytes:
    fmt = "<Q" if wire_type == I64 else "<I"
    return encode_key(field, wire_type) + struct.pack(fmt, value)


# --- decoding --------------------------------------------------------------------------------------

def decode_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """(value, position after it). At most 10 bytes and 64 bits, like every protobuf runtime."""
    value = shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise WireError("truncated varint")
        if shift >= 70:
            raise WireError("varint longer than 10 bytes")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
    if value > _U64:
        raise WireError("varint wider than 64 bits")
    return value, pos


def iter_fields(data: bytes | memoryview) -> Iterator[tuple[int, int, Value]]:
    """(field number, wire type, value): an int for VARINT/I64/I32 (raw, unsigned), a memoryview for LEN."""
    view = memoryview(data)
    pos, end = 0, len(view)
    while pos < end:
        key, pos = decode_varint(view, pos)
        field, wire_type = key >> 3, key & 7
        if not 1 <= field <= _MAX_FIELD:
            raise WireError(f"invalid field number {field}")
        if wire_type == VARINT:
            value, pos = decode_varint(view, pos)
            yield field, wire_type, value
        elif wire_type in (I64, I32):
            size = 8 if wire_type == I64 else 4
            if pos + size > end:
                raise WireError("truncated fixed-width field")
            yield field, wire_type, int.from_bytes(view[pos:pos + size], "little")
            pos += size
        elif wire_type == LEN:
            size, pos = decode_varint(view, pos)
            if size > end - pos:
                raise WireError("length-delimited field runs past the end")
            yield field, wire_type, view[pos:pos + size]
            pos += size
        else:
            raise WireError(f"unsupported wire type {wire_type} (field {field})")


def f32(raw: int) -> float:
    """A float field's 32 raw bits as the f32 value (exactly representable as a Python float)."""
    value: float = struct.unpack("<f", raw.to_bytes(4, "little"))[0]
    return value


class Message:
    """The fields of one decoded message by number. Unknown fields are kept and ignored, as protobuf requires;
    a singular field seen twice keeps its last value (protobuf's merge rule for scalars)."""

    __slots__ = ("_fields",)

    def __init__(self, data: bytes | memoryview):
        fields: dict[int, list[tuple[int, Value]]] = {}
        for field, wire_type, value in iter_fields(data):
            fields.setdefault(field, []).append((wire_type, value))
        self._fields = fields

    def has(self, tag: int) -> bool:
        return tag in self._fields

    def _all(self, tag: int, wire_type: int) -> list[Value]:
        out = []
        for kind, value in self._fields.get(tag, ()):
            if kind != wire_type:
                raise WireError(f"field {tag}: wire type {kind}, expected {wire_type}")
            out.append(value)
        return out

    def _last(self, tag: int, wire_type: int) -> Value | None:
        values = self._all(tag, wire_type)
        return values[-1] if values else None

    def uint(self, tag: int) -> int | None:
        value = self._last(tag, VARINT)
        return value if isinstance(value, int) else None

    def float32(self, tag: int) -> float | None:
        value = self._last(tag, I32)
        return f32(value) if isinstance(value, int) else None

    def data(self, tag: int) -> bytes | None:
        value = self._last(tag, LEN)
        return bytes(value) if isinstance(value, memoryview) else None

    def string(self, tag: int) -> str | None:
        value = self.data(tag)
        if value is None:
            return None
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError(f"field {tag}: string is not UTF-8") from None

    def message(self, tag: int) -> Message | None:
        value = self._last(tag, LEN)
        return Message(value) if isinstance(value, memoryview) else None

    def messages(self, tag: int) -> list[Message]:
        return [Message(value) for value in self._all(tag, LEN) if isinstance(value, memoryview)]

    def floats(self, tag: int) -> tuple[float, ...]:
        """A `repeated float`: packed (one LEN run of f32 LE, what prost writes) or one I32 per element."""
        out: list[float] = []
        for kind, value in self._fields.get(tag, ()):
            if kind == LEN and isinstance(value, memoryview):
                if len(value) % 4:
                    raise WireError(f"field {tag}: packed floats not a multiple of 4 bytes")
                out.extend(struct.unpack(f"<{len(value) // 4}f", value))
            elif kind == I32 and isinstance(value, int):
                out.append(f32(value))
            else:
                raise WireError(f"field {tag}: wire type {kind} for a repeated float")
        return tuple(out)
