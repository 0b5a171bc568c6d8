"""Per-commit weights keys derived from the wallet seed (security.md §3): the second line of defence.

The journal always stores the key (encrypted). Derivation lets the owner rebuild it from the mnemonic and the
plaintext weights file if the journal is lost between commit and reveal:

    publish_root = HKDF-SHA256(ikm = bip39_seed, info = "soma/publish-root/v1")
    K = HKDF-SHA256(ikm = publish_root, salt = "soma/weights/v1",
                    info = owner(32 bytes) ‖ u64(build_epoch) ‖ sha256(plaintext) ‖ u32(attempt))

Deviation from security.md §3: the wizard encrypts and verifies the hosted file BEFORE creating the model
(so the create->commit window is not spent uploading), so the model id does not exist yet; the owner address
takes its place. Distinct plaintexts or epochs still give distinct keys, and `attempt` is bumped past any key
already used or revealed, so a zero-IV key never encrypts two different plaintexts.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from soma_desktop.core import crypto
from soma_desktop.core.ids import normalize_id

RECOVERY_ATTEMPTS = 8


def publish_root_from_seed(seed: bytes) -> bytes:
    """The publish root from a BIP-39 seed; never the signing key itself."""
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"soma/publish-root/v1").derive(seed)


def derive_weights_key(publish_root: bytes, *, owner: str, build_epoch: int, plain_sha256: bytes,
                       attempt: int) -> bytes:
    if len(publish_root) != 32 or len(plain_sha256) != 32:
        raise ValueError("publish root and plaintext digest must be 32 bytes")
    info = (bytes.fromhex(normalize_id(owner)[2:]) + struct.pack(">Q", build_epoch) + plain_sha256
            + struct.pack(">I", attempt))
    return HKDF(hashes.SHA256(), 32, salt=b"soma/weights/v1", info=info).derive(publish_root)


def recover_weights_key(publish_root: bytes, *, owner: str, plain_sha256: bytes, key_commitment: bytes,
                        epochs: Iterable[int], attempts: int = RECOVERY_ATTEMPTS) -> bytes | None:
    """Search build epochs x attempts for the key whose Blake2b-256 is the on-chain commitment."""
    for epoch in epochs:
        for attempt in range(attempts):
            key = derive_weights_key(publish_root, owner=owner, build_epoch=epoch, plain_sha256=plain_sha256,
                                     attempt=attempt)
            if crypto.key_commitment(key) == key_commitment:
                return key
    return None
