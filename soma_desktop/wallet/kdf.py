"""Password key derivation for the vault: parameters, policy, read-side ceilings (security.md §2.2)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from soma_desktop.wallet.errors import VaultCorrupt, VaultVersionError

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:  # cryptography < 44: new vaults fall back to scrypt (security.md §2.2)
    Argon2id = None  # type: ignore[assignment,misc]

KEY_BYTES = 32
SALT_BYTES = 16

# Ceilings applied when READING a vault, before any derivation (a planted vault must not make us
# allocate gigabytes or spin for minutes).
MAX_ARGON2_M_KIB = 4 * 1024 * 1024
MAX_ARGON2_T = 16
MAX_ARGON2_P = 16
MAX_SCRYPT_N = 1 << 22
MAX_SCRYPT_R = 32
MAX_SCRYPT_P = 16
SALT_MIN_BYTES, SALT_MAX_BYTES = 16, 64


@dataclass(frozen=True)
class Argon2Params:
    m_kib: int = 262_144
    t: int = 3
    p: int = 4
    alg: str = "argon2id"


@dataclass(frozen=True)
class ScryptParams:
    n: int = 1 << 17
    r: int = 8
    p: int = 1
    alg: str = "scrypt"


KdfParams = Argon2Params | ScryptParams

PRODUCTION_ARGON2 = Argon2Params(262_144, 3, 4)      # security.md §2.2 default
FLOOR_ARGON2 = Argon2Params(65_536, 3, 4)            # RFC 9106 second option
PRODUCTION_SCRYPT = ScryptParams(1 << 17, 8, 1)      # fallback without Argon2id


@dataclass(frozen=True)
class VaultPolicy:
    """What new vaults get and the weakest parameters a new vault may use. Tests pass a fast policy."""

    default_kdf: KdfParams = PRODUCTION_ARGON2
    floor: KdfParams = FLOOR_ARGON2
    min_password_chars: int = 8


@lru_cache(maxsize=1)
def argon2_available() -> bool:
    """Feature-detect Argon2id (cryptography >= 44 built against an OpenSSL that has it)."""
    if Argon2id is None:
        return False
    try:
        Argon2id(salt=bytes(16), length=32, iterations=1, lanes=1, memory_cost=8).derive(b"probe")
    except UnsupportedAlgorithm:
        return False
    return True


def default_policy() -> VaultPolicy:
    if argon2_available():
        return VaultPolicy()
    return VaultPolicy(default_kdf=PRODUCTION_SCRYPT, floor=PRODUCTION_SCRYPT)


def _kdf_rank(params: KdfParams) -> tuple[int, ...]:
    if isinstance(params, Argon2Params):
        return (1, params.m_kib, params.t, params.p)
    return (0, params.n, params.r, params.p)


def kdf_weaker_than(params: KdfParams, target: KdfParams) -> bool:
    """True if `params` is below `target` in any dimension (different algorithms: scrypt < argon2id)."""
    a, b = _kdf_rank(params), _kdf_rank(target)
    if a[0] != b[0]:
        return a[0] < b[0]
    return any(x < y for x, y in zip(a[1:], b[1:]))


def check_kdf_ceilings(params: KdfParams, salt: bytes) -> None:
    """Reject absurd parameters before deriving anything (DoS guard)."""
    if not SALT_MIN_BYTES <= len(salt) <= SALT_MAX_BYTES:
        raise VaultCorrupt("The vault's salt has an invalid length")
    if isinstance(params, Argon2Params):
        ok = (1 <= params.t <= MAX_ARGON2_T and 1 <= params.p <= MAX_ARGON2_P
              and 8 * params.p <= params.m_kib <= MAX_ARGON2_M_KIB)
    else:
        n = params.n
        ok = (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= params.r <= MAX_SCRYPT_R
              and 1 <= params.p <= MAX_SCRYPT_P and 128 * params.r * n * params.p <= 4 << 30)
    if not ok:
        raise VaultCorrupt("The vault asks for key-derivation parameters outside the safe limits; refusing to open it")


def derive_kek(password: bytes, params: KdfParams, salt: bytes) -> bytes:
    """Password -> 32-byte key-encryption key. Module-level so tests can observe that it is not called."""
    if isinstance(params, Argon2Params):
        if not argon2_available():
            raise VaultVersionError("This vault needs Argon2id, which this system's cryptography library lacks")
        kdf: Argon2id | Scrypt = Argon2id(salt=salt, length=KEY_BYTES, iterations=params.t, lanes=params.p,
                                          memory_cost=params.m_kib)
    else:
        kdf = Scrypt(salt=salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p)
    return kdf.derive(password)


def password_bytes(password: str) -> bytes:
    # NFC so the same password typed on macOS (NFD input) and Windows derives the same key
    return unicodedata.normalize("NFC", password).encode("utf-8")
