"""SOMA's hashing, encodings and weights encryption — one implementation for the sandbox and real networks.

- Blake2b-256 is SOMA's default hash; digests and commitments print as Base58 (Bitcoin alphabet).
- Weights are encrypted with AES-256-CTR, an all-zero 16-byte IV and a 128-bit big-endian counter
  (protocol.md §1.5). A zero IV is only safe because every commit uses a fresh key (security.md §3).
- Embeddings are committed as the BCS encoding of a SomaTensor of f32 values (protocol.md §1.4).
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 32
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
ZERO_IV = bytes(16)
STREAM_CHUNK = 4 * 1024 * 1024


# --- hashes and Base58 ---------------------------------------------------------------------

def blake2b256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    text = text.strip()
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"invalid Base58 character {char!r}")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def commitment(data: bytes) -> str:
    """Base58 Blake2b-256 — the text form of every SOMA checksum and commitment."""
    return b58encode(blake2b256(data))


def decode_key(text_or_bytes: str | bytes) -> bytes:
    """A 32-byte weights key from raw bytes or its Base58 text form."""
    raw = b58decode(text_or_bytes) if isinstance(text_or_bytes, str) else bytes(text_or_bytes)
    if len(raw) != KEY_BYTES:
        raise ValueError(f"decryption key must be exactly 32 bytes, got {len(raw)}")
    return raw


def new_weights_key() -> bytes:
    """A fresh random key; never reuse one across commits (zero-IV CTR)."""
    return os.urandom(KEY_BYTES)


# --- AES-256-CTR with zero IV ----------------------------------------------------------------

class CtrStream:
    """Incremental AES-256-CTR (zero IV, 128-bit BE counter). Encrypt == decrypt."""

    def __init__(self, key: bytes, offset: int = 0):
        if len(key) != KEY_BYTES:
            raise ValueError("AES-256 key must be 32 bytes")
        block, skip = divmod(offset, 16)
        iv = block.to_bytes(16, "big")
        self._ctx = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
        if skip:
            self._ctx.update(bytes(skip))

    def update(self, data: bytes) -> bytes:
        return self._ctx.update(data)


def aes_ctr(key: bytes, data: bytes) -> bytes:
    return CtrStream(key).update(data)


@dataclass(frozen=True)
class EncryptedFile:
    path: Path
    size: int
    checksum: bytes  # Blake2b-256 of the encrypted bytes = manifest checksum = weights commitment

    @property
    def checksum_b58(self) -> str:
        return b58encode(self.checksum)


def encrypt_file(src: Path, dst: Path, key: bytes, *, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> EncryptedFile:
    """Stream-encrypt `src` into `dst` (bounded memory) and hash the ciphertext as it is written."""
    total = src.stat().st_size
    stream, hasher, done = CtrStream(key), hashlib.blake2b(digest_size=32), 0
    tmp = dst.with_name(dst.name + ".partial")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            while chunk := fin.read(STREAM_CHUNK):
                if cancelled and cancelled():
                    raise InterruptedError("encryption cancelled")
                enc = stream.update(chunk)
                hasher.update(enc)
                fout.write(enc)
                done += len(chunk)
                if progress:
                    progress(done, total)
            fout.flush()
            os.fsync(fout.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return EncryptedFile(dst, done, hasher.digest())


def hash_stream(handle: BinaryIO, *, chunk: int = STREAM_CHUNK) -> tuple[bytes, int]:
    hasher, size = hashlib.blake2b(digest_size=32), 0
    while block := handle.read(chunk):
        hasher.update(block)
        size += len(block)
    return hasher.digest(), size


def hash_file(path: Path) -> tuple[bytes, int]:
    with open(path, "rb") as handle:
        return hash_stream(handle)


# --- BCS SomaTensor and commitments ----------------------------------------------------------

def uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_uleb128(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated uleb128")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("uleb128 overflow")


def f32_bytes(values: Iterable[float]) -> bytes:
    """Little-endian f32 bytes; values are rounded to f32 exactly as the chain stores them."""
    vals = list(values)
    return struct.pack(f"<{len(vals)}f", *vals)


def f32_round(values: Iterable[float]) -> tuple[float, ...]:
    data = f32_bytes(values)
    return struct.unpack(f"<{len(data) // 4}f", data)


def bcs_soma_tensor(values: Sequence[float], shape: Sequence[int] | None = None) -> bytes:
    """`0x00 ‖ uleb128(4n) ‖ f32le×n ‖ uleb128(len(shape)) ‖ u64le×len(shape)` (dtype 0 = f32)."""
    raw = f32_bytes(values)
    dims = list(shape) if shape is not None else [len(raw) // 4]
    return b"\x00" + uleb128(len(raw)) + raw + uleb128(len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)


def bcs_soma_tensor_from_f32(raw: bytes, shape: Sequence[int]) -> bytes:
    """BCS of an embedding given its exact stored f32 bytes (no re-rounding)."""
    return b"\x00" + uleb128(len(raw)) + raw + uleb128(len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)


def decode_bcs_soma_tensor(data: bytes) -> tuple[tuple[float, ...], tuple[int, ...]]:
    if not data or data[0] != 0:
        raise ValueError("not an f32 SomaTensor")
    length, pos = _read_uleb128(data, 1)
    if length % 4 or pos + length > len(data):
        raise ValueError("bad SomaTensor byte length")
    values = struct.unpack(f"<{length // 4}f", data[pos:pos + length])
    ndims, pos = _read_uleb128(data, pos + length)
    if pos + 8 * ndims != len(data):
        raise ValueError("bad SomaTensor shape")
    shape = struct.unpack(f"<{ndims}Q", data[pos:])
    return values, shape


def embedding_commitment(values: Sequence[float]) -> bytes:
    return blake2b256(bcs_soma_tensor(values))


def key_commitment(key: bytes) -> bytes:
    """Blake2b-256 of the raw 32-byte key (not of its Base58 text)."""
    return blake2b256(decode_key(key))


# --- object ids and target seeds (protocol.md §1.3) ------------------------------------------

def derive_id(digest: bytes, n: int) -> str:
    return "0x" + blake2b256(digest + struct.pack("<Q", n)).hex()


def make_target_seed(digest: bytes, n: int) -> int:
    return int.from_bytes(blake2b256(digest + struct.pack("<Q", n))[:8], "little")
