"""The protobuf wire codec behind the app's own system-state read (network/sdk/wire.py)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.network.sdk import wire
from soma_desktop.network.sdk.ledger_rpc import get_epoch_request
from tests.network import proto_writer

U64 = st.integers(min_value=0, max_value=2**64 - 1)
FIELD = st.integers(min_value=1, max_value=2**29 - 1)
F32_BITS = st.integers(min_value=0, max_value=2**32 - 1)
ENTRY = st.one_of(
    st.tuples(FIELD, st.just(wire.VARINT), U64),
    st.tuples(FIELD, st.just(wire.I64), U64),
    st.tuples(FIELD, st.just(wire.I32), F32_BITS),
    st.tuples(FIELD, st.just(wire.LEN), st.binary(max_size=300)),
)


@settings(max_examples=500, deadline=None)
@given(U64)
def test_varint_round_trip_and_matches_the_independent_writer(n):
    encoded = wire.encode_varint(n)
    assert encoded == proto_writer.varint(n)
    assert wire.decode_varint(encoded + b"\xff", 0) == (n, len(encoded))
    assert 1 <= len(encoded) <= 10


def _encode(entry: tuple[int, int, int | bytes]) -> bytes:
    field, kind, value = entry
    if kind == wire.VARINT:
        assert isinstance(value, int)
        return wire.uint_field(field, value)
    if kind == wire.LEN:
        assert isinstance(value, bytes)
        return wire.len_field(field, value)
    assert isinstance(value, int)
    return wire.fixed_field(field, kind, value)


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRY, max_size=20))
def test_fields_round_trip(entries):
    data = b"".join(_encode(e) for e in entries)
    decoded = [(f, k, bytes(v) if isinstance(v, memoryview) else v) for f, k, v in wire.iter_fields(data)]
    assert decoded == entries


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_raise_wire_error(data):
    try:
        message = wire.Message(data)
    except wire.WireError:
        return
    for tag in range(1, 20):                  # accessors on a parsed message fail only with WireError too
        for read in (message.uint, message.float32, message.data, message.floats):
            try:
                read(tag)
            except wire.WireError:
                pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False), max_size=50))
def test_repeated_floats_read_packed_and_unpacked(values):
    packed = proto_writer.packed_f32(9, values)
    unpacked = b"".join(proto_writer.f32(9, v) for v in values)
    assert wire.Message(packed).floats(9) == tuple(values) == wire.Message(unpacked).floats(9)


@pytest.mark.parametrize("data, reason", [
    (b"\x08" + b"\xff" * 10 + b"\x01", "longer than 10 bytes"),
    (b"\x08" + b"\xff" * 9 + b"\x7f", "wider than 64 bits"),
    (b"\x08\x80", "truncated varint"),
    (b"\x12\x05abc", "runs past the end"),
    (b"\x0d\x00\x00", "truncated fixed-width"),
    (b"\x0b", "unsupported wire type 3"),             # a group start: obsolete, refused
    (b"\x00\x01", "invalid field number 0"),
])
def test_malformed_input_is_refused(data, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.Message(data)


def test_wire_type_mismatch_and_bad_utf8_are_refused():
    message = wire.Message(proto_writer.u64(1, 5) + proto_writer.blob(2, b"\xff\xfe"))
    with pytest.raises(wire.WireError, match="wire type 0, expected 2"):
        message.data(1)
    with pytest.raises(wire.WireError, match="not UTF-8"):
        message.string(2)
    assert message.uint(1) == 5 and message.uint(3) is None


def test_last_value_wins_for_a_repeated_scalar():
    assert wire.Message(proto_writer.u64(4, 1) + proto_writer.u64(4, 2**40)).uint(4) == 2**40


def test_the_request_is_what_the_sdk_sends():
    """GetEpochRequest::latest().with_read_mask(["system_state", "epoch"]) (rpc/src/api/client.rs L230)."""
    assert proto_writer.read_mask_paths(get_epoch_request()) == (None, ["system_state", "epoch"])
    assert struct.unpack("<f", struct.pack("<f", wire.f32(0x3F000000)))[0] == 0.5


def test_without_h2_the_reader_says_what_is_missing(monkeypatch):
    """h2 is a declared dependency; an install without it gets a plain message instead of an ImportError."""
    import asyncio

    from soma_desktop.network.errors import NetworkError
    from soma_desktop.network.sdk import ledger_rpc

    monkeypatch.setattr(ledger_rpc, "has_http2", lambda: False)
    with pytest.raises(NetworkError, match="needs the Python package 'h2'"):
        asyncio.run(ledger_rpc.unary_call("http://127.0.0.1:9", ledger_rpc.GET_EPOCH_PATH, get_epoch_request(),
                                          timeout=1))
