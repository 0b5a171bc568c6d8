"""Inputs shaped like the files the fuzzed parsers read, plus byte-level mutation of valid ones."""

from __future__ import annotations

import json

from hypothesis import strategies as st

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)

EDGE_TEXT = st.sampled_from([
    "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000, "[" * 3000, "{" * 3000, '"\\ud800"', "\x00",
    "null", "true", "\ufeff{}", "{}", "[]", '""', "0x10", "1_000",
])


def dumps(value) -> str:
    return json.dumps(value, allow_nan=True)


@st.composite
def mutated(draw, valid: bytes, max_edits: int = 8) -> bytes:
    """`valid` with a few byte flips, insertions, deletions or a truncation."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, max_edits))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "digit"]))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = b"9" * draw(st.integers(1, 40))
    return bytes(data)
