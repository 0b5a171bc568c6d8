"""Ed25519 account keys: SOMA addresses, `somaprivkey1…` text, hex import, and the in-memory KeyPair.

A KeyPair implements network.base.Signer (`address`, `secret_key()`). Its repr shows only the address,
it refuses pickling/copying, and `wipe()` zeroes the secret bytes it owns.
"""

from __future__ import annotations

import hashlib
import re
from typing import NoReturn

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from soma_desktop.wallet import bech32
from soma_desktop.wallet.mnemonic import mnemonic_to_seed
from soma_desktop.wallet.slip10 import account_path, derive_ed25519

SECRET_KEY_BYTES = 32
ED25519_FLAG = 0x00
PRIVKEY_HRP = "somaprivkey"
_HEX_SECRET_RE = re.compile(r"^(?:0x)?([0-9a-fA-F]{64})$")


class KeyFormatError(ValueError):
    """Key text that is not a SOMA Ed25519 secret key. Messages never echo the input."""


class KeyWiped(RuntimeError):
    """The key was wiped (vault locked); unlock again."""


def address_from_public_key(public_key: bytes) -> str:
    """'0x' + Blake2b-256(0x00 ‖ pk): the SOMA/Sui Ed25519 address in the app's 0x form."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return "0x" + hashlib.blake2b(bytes([ED25519_FLAG]) + public_key, digest_size=32).hexdigest()


def public_key_from_secret(secret: bytes | bytearray) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(bytes(secret)).public_key().public_bytes_raw()


class KeyPair:
    """An Ed25519 key held in memory while the vault is unlocked."""

    __slots__ = ("_secret", "_public", "_address", "_wiped")

    def __init__(self, secret: bytes | bytearray):
        if len(secret) != SECRET_KEY_BYTES:
            raise KeyFormatError(f"a secret key is exactly 32 bytes, got {len(secret)}")
        self._secret = bytearray(secret)
        self._wiped = False
        self._public = public_key_from_secret(self._secret)
        self._address = address_from_public_key(self._public)

    @property
    def address(self) -> str:
        return self._address

    @property
    def public_key(self) -> bytes:
        return self._public

    def secret_key(self) -> bytes:
        if self._wiped:
            raise KeyWiped("this key was locked away; unlock the wallet again")
        return bytes(self._secret)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.secret_key()).sign(message)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self._public).verify(signature, message)
        except Exception:  # noqa: BLE001 - cryptography raises InvalidSignature; treat any failure as "no"
            return False
        return True

    def to_bech32(self) -> str:
        return encode_secret_bech32(self.secret_key())

    def wipe(self) -> None:
        for i in range(len(self._secret)):
            self._secret[i] = 0
        self._wiped = True

    @property
    def wiped(self) -> bool:
        return self._wiped

    def __repr__(self) -> str:
        return f"KeyPair(address={self._address})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyPair) and other._address == self._address

    def __hash__(self) -> int:
        return hash(self._address)

    def __reduce__(self) -> NoReturn:
        raise TypeError("key pairs are not serialisable; store them only in the encrypted vault")

    def __copy__(self) -> NoReturn:
        raise TypeError("key pairs are not copied; share the one instance")

    def __deepcopy__(self, memo: object) -> NoReturn:
        raise TypeError("key pairs are not copied; share the one instance")


# --- text forms ------------------------------------------------------------------------------

def encode_secret_bech32(secret: bytes) -> str:
    """`somaprivkey1…` (Bech32 of 0x00 ‖ sk), the form of `soma keytool export` / Keypair.to_encoded()."""
    if len(secret) != SECRET_KEY_BYTES:
        raise KeyFormatError("a secret key is exactly 32 bytes")
    return bech32.encode(PRIVKEY_HRP, bytes([ED25519_FLAG]) + bytes(secret))


def decode_secret_bech32(text: str) -> bytes:
    try:
        hrp, payload = bech32.decode(text.strip())
    except bech32.Bech32Error as exc:
        raise KeyFormatError(f"not a valid somaprivkey string ({exc})") from None
    if hrp != PRIVKEY_HRP:
        raise KeyFormatError("the key must start with 'somaprivkey1'")
    if len(payload) != 1 + SECRET_KEY_BYTES:
        raise KeyFormatError("a somaprivkey holds a 1-byte flag and a 32-byte key")
    if payload[0] != ED25519_FLAG:
        raise KeyFormatError("only Ed25519 keys (flag 0x00) are supported")
    return payload[1:]


def parse_hex_secret(text: str) -> bytes:
    match = _HEX_SECRET_RE.match(text.strip())
    if not match:
        raise KeyFormatError("a hex secret key is 64 hex characters, optionally prefixed with 0x")
    return bytes.fromhex(match.group(1))


def parse_secret_text(text: str) -> bytes:
    """A pasted secret key: `somaprivkey1…` or 64 hex (with or without 0x)."""
    stripped = text.strip()
    if stripped.lower().startswith(PRIVKEY_HRP + "1"):
        return decode_secret_bech32(stripped)
    return parse_hex_secret(stripped)


def keypair_from_secret_text(text: str) -> KeyPair:
    return KeyPair(parse_secret_text(text))


# --- derivation ------------------------------------------------------------------------------

def derive_secret(seed: bytes, index: int = 0) -> bytes:
    return derive_ed25519(seed, account_path(index))


def keypair_from_seed(seed: bytes, index: int = 0) -> KeyPair:
    return KeyPair(derive_secret(seed, index))


def keypair_from_mnemonic(phrase: str, index: int = 0, passphrase: str = "") -> KeyPair:
    """Same result as soma-sdk `Keypair.from_mnemonic` for index 0 and an empty passphrase."""
    return keypair_from_seed(mnemonic_to_seed(phrase, passphrase), index)
