"""Constants shared by the wallet tests (imported by module name; pytest puts this dir on sys.path)."""

from __future__ import annotations

from soma_desktop.wallet.vault import Argon2Params, VaultPolicy

ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
PASSWORD = "correct horse battery"

# Argon2id at 64 KiB / t=1 takes milliseconds, so the suite stays fast (production: 256 MiB / t=3 / p=4).
# Only what NEW vaults use changes; the reader's ceilings are the production constants.
FAST_KDF = Argon2Params(m_kib=64, t=1, p=1)
FAST_POLICY = VaultPolicy(default_kdf=FAST_KDF, floor=Argon2Params(8, 1, 1))
