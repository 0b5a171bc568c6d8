"""The log scrubber: keys and phrases never reach the log file; ids, digests and amounts stay readable."""

from __future__ import annotations

import base64
import logging

from hypothesis import given
from hypothesis import strategies as st
from mnemonic import Mnemonic

from soma_desktop.core.redact import MASK, RedactingFilter, redact

KEY_BYTES = st.binary(min_size=32, max_size=32)


@given(KEY_BYTES)
def test_every_key_form_is_masked(key):
    from soma_desktop.wallet.keys import encode_secret_bech32

    for form in (key.hex(), key.hex().upper(), encode_secret_bech32(key),
                 base64.b64encode(b"\x00" + key).decode()):
        text = redact(f"could not import {form}: bad format")
        assert form not in text and text == f"could not import {MASK}: bad format"


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_object_ids_and_addresses_stay(value):
    ident = "0x" + value.to_bytes(32, "big").hex()
    assert redact(f"model {ident} not found") == f"model {ident} not found"


@given(st.binary(min_size=32, max_size=32), st.sampled_from([128, 256]))
def test_recovery_phrases_are_masked(entropy, bits):
    phrase = Mnemonic("english").to_mnemonic(entropy[: bits // 8])
    text = redact(f"invalid phrase: {phrase}.")
    assert not any(word in text.split() for word in phrase.split()[1:-1])


def test_plain_messages_are_unchanged():
    text = "Sent 5.123456789 SOMA (5,123,456,789 shannons) in epoch 3; digest 8kq3Digest"
    assert redact(text) == text


def test_the_filter_scrubs_message_args_and_traceback():
    secret = "ab" * 32
    try:
        raise ValueError(f"bad key {secret}")
    except ValueError as exc:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "importing %s failed", (secret,),
                                   (type(exc), exc, exc.__traceback__))
    assert RedactingFilter().filter(record)
    out = logging.Formatter().format(record)
    assert secret not in out and "importing [redacted] failed" in out and "ValueError: bad key [redacted]" in out
