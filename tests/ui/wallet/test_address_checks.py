"""Recipient address checks (the address field says what is wrong in plain words)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.ui.widgets.address_field import address_problem


@given(st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64), st.booleans())
def test_full_hex_addresses_are_accepted(body, prefix):
    assert address_problem(("0x" if prefix else "") + body) == ""


@given(st.text(alphabet="0123456789abcdef", max_size=80).filter(lambda t: len(t) != 64))
def test_wrong_length_is_explained(body):
    problem = address_problem("0x" + body)
    assert problem == "Enter the recipient's address" if not body else f"this one has {len(body)}" in problem
