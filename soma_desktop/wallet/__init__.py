"""Wallet core (Qt-free, torch-free).

- mnemonic: BIP-39 phrases (generate, validate with the faulty word's position, seed, backup check)
- slip10, keys, bech32: SLIP-0010 Ed25519 at m/44'/784'/0'/0'/i', addresses, `somaprivkey1…`, KeyPair
- kdf, errors, vault: the encrypted vault (Argon2id + AES-256-GCM, security.md §2.4) and its accounts
- keyring_unlock: optional "remember on this device" through allowlisted OS keyrings
- cli_keystore: SOMA CLI `soma.keystore` / `soma.aliases` import-export and client.yaml environments
- autolock: idle timer logic; history: persisted transaction history with CSV export
- hardening: process-level protections for a process holding keys
"""
