"""Wallet test fixtures on top of tests/conftest.py (its `vectors`, `data_dir`, `memory_keyring`)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def key_vectors(vectors) -> list[dict]:
    return vectors["keypair_from_mnemonic"]


@pytest.fixture
def vault_path(data_dir) -> Path:
    return data_dir / "wallet" / "vault.json"
