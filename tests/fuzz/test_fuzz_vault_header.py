"""Fuzz the vault header: any file, and any structurally-authentic document (integrity check recomputed so
the fuzzer gets past it), is refused with a VaultError before any key derivation, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.wallet import vault as vault_module
from soma_desktop.wallet.errors import VaultError
from soma_desktop.wallet.vault import Vault, read_header
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON_VALUES, mutated
from tests.wallet.wallet_helpers import ABANDON, FAST_POLICY, PASSWORD

_VALID: dict[str, bytes] = {}


def _valid_vault() -> bytes:
    if "raw" not in _VALID:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "wallet.vault"
            Vault.create(path, PASSWORD, ABANDON, policy=FAST_POLICY).lock()
            _VALID["raw"] = path.read_bytes()
    return _VALID["raw"]


def _read(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wallet.vault"
        path.write_bytes(content)
        try:
            read_header(path)
        except VaultError:
            pass


def _paths(doc, prefix=()):
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))


def test_the_valid_vault_parses():
    _read(_valid_vault())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wallet.vault"
        path.write_bytes(_valid_vault())
        assert read_header(path).addresses


@fuzz()
@given(st.data())
def test_mutated_bytes(data):
    _read(data.draw(st.one_of(mutated(_valid_vault()), st.binary(max_size=300))))


@fuzz()
@given(st.data())
def test_authentic_documents_with_any_field_value(data):
    doc = json.loads(_valid_vault())
    doc.pop("check", None)
    paths = list(_paths(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = doc
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = data.draw(JSON_VALUES)
    try:
        content = vault_module._with_check(doc)
    except (TypeError, ValueError):
        pytest.skip("not representable")   # NaN/Infinity cannot be written canonically; the reader refuses them
    _read(content)
