"""Scrub secrets from text bound for the log: private keys, keystore entries and recovery phrases.

Exception messages and tracebacks can quote what the user typed (an import that failed to parse, a
key in a bad format). The log file is plaintext, so every record passes through `RedactingFilter`.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

MASK = "[redacted]"

_PATTERNS = (
    re.compile(r"somaprivkey1[0-9a-z]+", re.IGNORECASE),             # bech32 private keys
    re.compile(r"(?<![0-9a-fA-Fx])[0-9a-fA-F]{64}(?:[0-9a-fA-F]{64})?(?![0-9a-fA-F])"),  # bare hex keys, not 0x ids
    # SOMA CLI keystore entries: base64 of flag 0 + 32 key bytes (a 44-character base58 digest starting with
    # "A" is masked too: better a hidden digest than a leaked key)
    re.compile(r"(?<![A-Za-z0-9+/])A[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=])"),
)
_PHRASE_MIN_WORDS = 6   # a run of this many BIP-39 words in a row is treated as (part of) a phrase


@lru_cache(maxsize=1)
def _wordlist() -> frozenset[str]:
    try:
        from mnemonic import Mnemonic
    except ImportError:   # keys are still masked without the wordlist
        return frozenset()
    return frozenset(Mnemonic("english").wordlist)


def _mask_phrases(text: str) -> str:
    words = _wordlist()
    if not words:
        return text
    tokens = re.split(r"(\s+)", text)
    out, run = [], []                    # run: indices into out of consecutive wordlist words
    for token in tokens:
        if token.isspace() or not token:
            out.append(token)
            continue
        bare = token.strip(".,;:'\"()[]").lower()
        if bare in words:
            run.append(len(out))
        else:
            _flush(out, run)
            run = []
        out.append(token)
    _flush(out, run)
    return "".join(out)


def _flush(out: list[str], run: list[int]) -> None:
    if len(run) >= _PHRASE_MIN_WORDS:
        for i in run:
            out[i] = MASK


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return _mask_phrases(text)


class RedactingFilter(logging.Filter):
    """A handler filter: the message and the formatted traceback are scrubbed before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of `logger` (the root logger by default) that lacks it."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
