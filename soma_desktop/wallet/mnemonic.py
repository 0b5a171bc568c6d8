"""BIP-39 English mnemonics: generation, validation with a useful error, seed derivation, backup check.

Error messages name a word's *position*, never the word itself: a mistyped word is usually one letter
away from the real (secret) one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mnemonic import Mnemonic

GENERATE_WORD_COUNTS = (12, 24)
ACCEPTED_WORD_COUNTS = (12, 15, 18, 21, 24)  # what the SOMA CLI accepts on import
_PBKDF2_ROUNDS = 2048
MAX_PHRASE_CHARS = 1024


class MnemonicError(ValueError):
    """The phrase is not a valid BIP-39 English mnemonic. `position` is 1-based when one word is at fault."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


@lru_cache(maxsize=1)
def _bip39() -> Mnemonic:
    return Mnemonic("english")


@lru_cache(maxsize=1)
def _word_index() -> dict[str, int]:
    return {word: i for i, word in enumerate(_bip39().wordlist)}


def wordlist() -> list[str]:
    return list(_bip39().wordlist)


def split_words(phrase: str) -> list[str]:
    """Lowercase NFKD words, any whitespace as separator."""
    if len(phrase) > MAX_PHRASE_CHARS:
        raise MnemonicError("That is far too long to be a recovery phrase")
    return unicodedata.normalize("NFKD", phrase).lower().split()


def generate_mnemonic(words: int = 24) -> str:
    """A fresh phrase from the OS CSPRNG (128 bits of entropy for 12 words, 256 for 24)."""
    if words not in GENERATE_WORD_COUNTS:
        raise ValueError(f"a new recovery phrase has 12 or 24 words, not {words}")
    return _bip39().to_mnemonic(secrets.token_bytes(words * 4 // 3))


def validate_mnemonic(phrase: str) -> str:
    """Return the normalised phrase (single spaces, lowercase) or raise MnemonicError saying what is wrong."""
    words = split_words(phrase)
    if len(words) not in ACCEPTED_WORD_COUNTS:
        raise MnemonicError(f"A recovery phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}")
    index = _word_index()
    for position, word in enumerate(words, start=1):
        if word not in index:
            raise MnemonicError(f"Word {position} is not in the BIP-39 English word list", position)
    if not _checksum_ok([index[w] for w in words]):
        raise MnemonicError("Every word is valid but the checksum does not match: check the order and "
                            f"spelling (the last word, word {len(words)}, carries the checksum)")
    return " ".join(words)


def _checksum_ok(indices: Sequence[int]) -> bool:
    bits = "".join(f"{i:011b}" for i in indices)
    checksum_bits = len(bits) // 33
    entropy_bits = bits[:-checksum_bits]
    entropy = int(entropy_bits, 2).to_bytes(len(entropy_bits) // 8, "big")
    expected = f"{hashlib.sha256(entropy).digest()[0]:08b}"[:checksum_bits]
    return hmac.compare_digest(expected, bits[-checksum_bits:])


def is_valid_mnemonic(phrase: str) -> bool:
    try:
        validate_mnemonic(phrase)
    except MnemonicError:
        return False
    return True


def mnemonic_to_seed(phrase: str, passphrase: str = "") -> bytes:
    """The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD phrase, "mnemonic" + NFKD passphrase, 2048)."""
    normalized = validate_mnemonic(phrase).encode("utf-8")
    salt = ("mnemonic" + unicodedata.normalize("NFKD", passphrase)).encode("utf-8")
    return hashlib.pbkdf2_hmac("sha512", normalized, salt, _PBKDF2_ROUNDS)


def suggest_words(prefix: str, limit: int = 8) -> list[str]:
    """Word-list completions for a typed prefix (for an import form's autocomplete)."""
    prefix = unicodedata.normalize("NFKD", prefix).strip().lower()
    if not prefix:
        return []
    return [w for w in _bip39().wordlist if w.startswith(prefix)][:limit]


@dataclass(frozen=True)
class ConfirmChallenge:
    """Ask the user for a few words of the phrase they were just shown (1-based positions)."""

    positions: tuple[int, ...]

    @classmethod
    def pick(cls, phrase: str, count: int = 3) -> ConfirmChallenge:
        total = len(split_words(phrase))
        if not 1 <= count <= total:
            raise ValueError("count must be between 1 and the number of words")
        rng = secrets.SystemRandom()
        return cls(tuple(sorted(rng.sample(range(1, total + 1), count))))

    def wrong_positions(self, phrase: str, answers: Mapping[int, str]) -> list[int]:
        """Positions whose answer is missing or does not match (empty list = confirmed)."""
        words = split_words(phrase)
        wrong = []
        for pos in self.positions:
            given = unicodedata.normalize("NFKD", answers.get(pos, "")).strip().lower()
            if not hmac.compare_digest(given.encode(), words[pos - 1].encode()):
                wrong.append(pos)
        return wrong

    def check(self, phrase: str, answers: Mapping[int, str]) -> bool:
        return not self.wrong_positions(phrase, answers)
