from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import soma_desktop.wallet.kdf as kdf_mod
import soma_desktop.wallet.vault as vault_mod
from soma_desktop.network.base import Signer
from soma_desktop.wallet.keys import KeyWiped, keypair_from_mnemonic
from soma_desktop.wallet.mnemonic import MnemonicError
from soma_desktop.wallet.vault import (
    AccountError,
    Argon2Params,
    ScryptParams,
    Vault,
    VaultCorrupt,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultPolicy,
    VaultVersionError,
    WeakPassword,
    WrongPassword,
    read_header,
)
from tests.wallet.wallet_helpers import ABANDON, FAST_KDF, FAST_POLICY, PASSWORD

IMPORTED = bytes(range(100, 132))


def _create(path, **kw):
    return Vault.create(path, PASSWORD, ABANDON, policy=FAST_POLICY, **kw)


def _rewrite(path, mutate):
    """Apply `mutate` to the parsed vault and write it back with a valid integrity check."""
    doc = json.loads(path.read_bytes())
    mutate(doc)
    path.write_bytes(vault_mod._with_check(doc))


def test_round_trip_accounts_names_metadata(vault_path):
    v = _create(vault_path)
    second = v.add_account("Savings")
    imported = v.import_account("Old CLI key", IMPORTED)
    v.rename(second.address, "Long-term")
    v.set_metadata("default_account", second.address)
    addresses = v.addresses
    v.lock()

    header = read_header(vault_path)
    assert list(header.addresses) == addresses
    assert header.kdf == FAST_KDF and header.device_unlock is None
    again = Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    assert again.addresses == addresses
    assert [a.name for a in again.accounts] == ["Account 1", "Long-term", "Old CLI key"]
    assert [a.index for a in again.accounts] == [0, 1, None]
    assert again.account(addresses[0]).address == keypair_from_mnemonic(ABANDON).address
    assert again.account(imported.address[2:].upper()).secret_key() == IMPORTED
    assert again.account(second.address).secret_key() == keypair_from_mnemonic(ABANDON, 1).secret_key()
    assert again.metadata == {"default_account": second.address}
    assert again.has_mnemonic


def test_file_and_directory_modes(vault_path):
    _create(vault_path)
    assert stat.S_IMODE(os.stat(vault_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(vault_path.parent).st_mode) == 0o700
    os.chmod(vault_path, 0o644)  # e.g. restored from a backup
    Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    assert stat.S_IMODE(os.stat(vault_path).st_mode) == 0o600


def test_create_refuses_overwrite_weak_password_and_bad_phrase(vault_path):
    _create(vault_path)
    with pytest.raises(VaultExists):
        _create(vault_path)
    other = vault_path.with_name("other.json")
    with pytest.raises(WeakPassword):
        Vault.create(other, "short", ABANDON, policy=FAST_POLICY)
    with pytest.raises(MnemonicError):
        Vault.create(other, PASSWORD, ABANDON.replace("about", "abandon"), policy=FAST_POLICY)
    with pytest.raises(ValueError, match="floor"):
        Vault.create(other, PASSWORD, ABANDON, policy=VaultPolicy(default_kdf=FAST_KDF))
    assert not other.exists()


def test_vault_from_a_raw_key_only(vault_path):
    v = Vault.create(vault_path, PASSWORD, secret_key=IMPORTED, first_account_name="CLI", policy=FAST_POLICY)
    assert not v.has_mnemonic and [a.name for a in v.accounts] == ["CLI"]
    with pytest.raises(AccountError):
        v.add_account()
    assert Vault.open(vault_path, PASSWORD, policy=FAST_POLICY).account(v.addresses[0]).secret_key() == IMPORTED


def test_account_rules(vault_path):
    v = _create(vault_path)
    b = v.add_account()
    c = v.add_account()
    assert (b.index, c.index, b.name) == (1, 2, "Account 2")
    v.remove(b.address)
    with pytest.raises(KeyWiped):
        b.secret_key()
    assert v.add_account("Back").address == b.address  # lowest free index comes back
    with pytest.raises(AccountError):
        v.add_account("back")  # names are unique, case-insensitively
    with pytest.raises(AccountError):
        v.import_account("dup", keypair_from_mnemonic(ABANDON).secret_key())
    with pytest.raises(AccountError):
        v.rename(c.address, "   ")
    with pytest.raises(AccountError):
        v.account("0x" + "00" * 32)
    for acc in v.accounts[1:]:
        v.remove(acc.address)
    with pytest.raises(AccountError):
        v.remove(v.accounts[0].address)


def test_wrong_password_is_clean(vault_path):
    _create(vault_path)
    with pytest.raises(WrongPassword) as info:
        Vault.open(vault_path, PASSWORD + "!", policy=FAST_POLICY)
    assert str(info.value) == "Wrong password"


def test_change_password_and_export_need_the_password(vault_path, key_vectors):
    v = _create(vault_path)
    first = v.accounts[0].address
    with pytest.raises(WrongPassword):
        v.export_bech32(first, "not the password")
    assert v.export_bech32(first, PASSWORD) == key_vectors[0]["encoded_bech32"]
    assert v.reveal_mnemonic(PASSWORD) == ABANDON
    with pytest.raises(WrongPassword):
        v.change_password("nope nope nope", "new password 123")
    v.change_password(PASSWORD, "new password 123")
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    reopened = Vault.open(vault_path, "new password 123", policy=FAST_POLICY)
    assert reopened.addresses == v.addresses


def test_unlock_upgrades_weak_parameters(vault_path):
    _create(vault_path)
    stronger = VaultPolicy(default_kdf=Argon2Params(256, 2, 1), floor=FAST_KDF)
    Vault.open(vault_path, PASSWORD, policy=stronger)
    assert read_header(vault_path).kdf == Argon2Params(256, 2, 1)
    assert Vault.open(vault_path, PASSWORD, policy=stronger).addresses


def test_scrypt_vaults_open(vault_path):
    policy = VaultPolicy(default_kdf=ScryptParams(1 << 10, 8, 1), floor=ScryptParams(2, 1, 1))
    v = Vault.create(vault_path, PASSWORD, ABANDON, policy=policy)
    assert read_header(vault_path).kdf == ScryptParams(1 << 10, 8, 1)
    assert Vault.open(vault_path, PASSWORD, policy=policy).addresses == v.addresses


def test_lock_wipes_and_blocks(vault_path):
    v = _create(vault_path)
    acc = v.accounts[0]
    v.lock()
    assert v.is_locked and not any(v._dek)
    with pytest.raises(KeyWiped):
        acc.secret_key()
    for call in (lambda: v.accounts, v.add_account, lambda: v.export_bech32(acc.address, PASSWORD)):
        with pytest.raises(VaultLocked):
            call()
    assert "Account 1" not in repr(v)


# --- tampering ----------------------------------------------------------------------------

def _region_spans(raw: bytes) -> dict[str, tuple[int, int]]:
    doc = json.loads(raw)
    spans = {}
    for name, value in (("format", doc["format"]), ("vault_id", doc["vault_id"]), ("salt", doc["kdf"]["salt"]),
                        ("kek_nonce", doc["kek_wrap"]["nonce"]), ("kek_ct", doc["kek_wrap"]["ct"]),
                        ("payload_nonce", doc["payload"]["nonce"]), ("payload_ct", doc["payload"]["ct"]),
                        ("address", doc["addresses"][0]), ("check", doc["check"])):
        start = raw.index(value.encode())
        spans[name] = (start, start + len(value))
    start = raw.index(b'"m_kib":') + len(b'"m_kib":')
    spans["m_kib"] = (start, start + 2)
    return spans


@pytest.mark.parametrize("region", ["format", "vault_id", "salt", "m_kib", "kek_nonce", "kek_ct", "payload_nonce",
                                    "payload_ct", "address", "check"])
def test_each_tampered_region_gives_vault_corrupt(vault_path, region):
    _create(vault_path)
    raw = bytearray(vault_path.read_bytes())
    start, end = _region_spans(bytes(raw))[region]
    for pos in {start, (start + end) // 2, end - 1}:
        tampered = bytearray(raw)
        tampered[pos] = ord("A") if tampered[pos] != ord("A") else ord("B")
        if region == "m_kib":
            tampered[pos] = ord("7") if tampered[pos] != ord("7") else ord("5")
        vault_path.write_bytes(bytes(tampered))
        with pytest.raises(VaultCorrupt):
            Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)


def _flip_b64(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["kdf"].__setitem__("salt", _flip_b64(d["kdf"]["salt"])), WrongPassword),
    (lambda d: d["kek_wrap"].__setitem__("ct", _flip_b64(d["kek_wrap"]["ct"])), WrongPassword),
    (lambda d: d["kek_wrap"].__setitem__("nonce", _flip_b64(d["kek_wrap"]["nonce"])), WrongPassword),
    (lambda d: d.__setitem__("vault_id", "f" * 32), WrongPassword),
    (lambda d: d["payload"].__setitem__("ct", _flip_b64(d["payload"]["ct"])), VaultCorrupt),
    (lambda d: d["payload"].__setitem__("nonce", _flip_b64(d["payload"]["nonce"])), VaultCorrupt),
    (lambda d: d["addresses"].reverse() or d["addresses"].append("0x" + "ab" * 32), VaultCorrupt),
    (lambda d: d["payload"].__setitem__("nonce", base64.b64encode(bytes(8)).decode()), VaultCorrupt),
    (lambda d: d.__setitem__("version", 2), VaultVersionError),
    (lambda d: d["kdf"].__setitem__("alg", "argon3"), VaultVersionError),
    (lambda d: d.__setitem__("extra", 1), VaultCorrupt),
])
def test_crafted_tampering_with_a_recomputed_check_is_still_caught(vault_path, mutate, expected):
    """An attacker can recompute the integrity check; AES-GCM (key wrap + AAD) still catches it."""
    v = _create(vault_path)
    v.add_account()
    _rewrite(vault_path, mutate)
    with pytest.raises(expected):
        Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_bit_flips_never_escape_as_other_errors(vault_path, data):
    if not vault_path.exists():
        _create(vault_path)
    original = vault_path.read_bytes()
    pos = data.draw(st.integers(0, len(original) - 1))
    bit = data.draw(st.integers(0, 7))
    tampered = bytearray(original)
    tampered[pos] ^= 1 << bit
    broken = vault_path.with_name("broken.json")
    broken.write_bytes(bytes(tampered))
    with pytest.raises(VaultError):
        Vault.open(broken, PASSWORD, policy=FAST_POLICY)


def test_truncated_empty_and_huge_files(vault_path):
    _create(vault_path)
    raw = vault_path.read_bytes()
    for content in (raw[: len(raw) // 2], b"", b"[]", b"\xff\xfe", b" " * (vault_mod.MAX_VAULT_BYTES + 1),
                    b"[" + b"1" * 5000 + b"]", b"[" * 100_000 + b"]" * 100_000):
        vault_path.write_bytes(content)
        with pytest.raises(VaultCorrupt):
            Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    with pytest.raises(VaultError):
        Vault.open(vault_path.with_name("missing.json"), PASSWORD, policy=FAST_POLICY)


# --- KDF ceilings -------------------------------------------------------------------------------

ABSURD_KDFS = [
    {"alg": "argon2id", "v": 19, "m_kib": 2**32, "t": 3, "p": 4},
    {"alg": "argon2id", "v": 19, "m_kib": 65536, "t": 10**6, "p": 4},
    {"alg": "argon2id", "v": 19, "m_kib": 65536, "t": 3, "p": 2**20},
    {"alg": "argon2id", "v": 19, "m_kib": 4, "t": 3, "p": 1},
    {"alg": "argon2id", "v": 19, "m_kib": 65536, "t": 0, "p": 1},
    {"alg": "argon2id", "v": 19, "m_kib": 65536.0, "t": 3, "p": 1},
    {"alg": "argon2id", "v": 19, "m_kib": True, "t": 3, "p": 1},
    {"alg": "scrypt", "n": 2**40, "r": 8, "p": 1},
    {"alg": "scrypt", "n": 2**22, "r": 32, "p": 16},
    {"alg": "scrypt", "n": 3 * 2**10, "r": 8, "p": 1},
]


@pytest.mark.parametrize("kdf", ABSURD_KDFS + [{"salt_len": 0}, {"salt_len": 8}, {"salt_len": 65}])
def test_absurd_kdf_parameters_are_rejected_before_any_derivation(vault_path, monkeypatch, kdf):
    _create(vault_path)

    def mutate(doc):
        if "salt_len" in kdf:
            doc["kdf"]["salt"] = base64.b64encode(os.urandom(kdf["salt_len"])).decode()
        else:
            doc["kdf"] = {"salt": doc["kdf"]["salt"], **kdf}
    _rewrite(vault_path, mutate)

    calls = []
    spy = lambda *a, **k: calls.append(a) or bytes(32)  # noqa: E731
    monkeypatch.setattr(vault_mod, "derive_kek", spy)
    monkeypatch.setattr(kdf_mod, "derive_kek", spy)
    with pytest.raises(VaultCorrupt, match="safe limits|salt|integer"):
        Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    with pytest.raises(VaultCorrupt):
        read_header(vault_path)
    assert calls == []


# --- device wrap and DEK services ---------------------------------------------------------------

def test_device_wrap_opens_without_password_and_can_be_cleared(vault_path):
    v = _create(vault_path)
    device_key = os.urandom(32)
    v.set_device_wrap(device_key, "soma-desktop", v.vault_id)
    assert read_header(vault_path).device_unlock == ("soma-desktop", v.vault_id)
    assert Vault.open_with_device_key(vault_path, device_key, policy=FAST_POLICY).addresses == v.addresses
    with pytest.raises(WrongPassword):
        Vault.open_with_device_key(vault_path, os.urandom(32), policy=FAST_POLICY)
    v.change_password(PASSWORD, "another password")  # the DEK is unchanged, so the device wrap still fits
    assert Vault.open_with_device_key(vault_path, device_key, policy=FAST_POLICY).addresses == v.addresses
    v.clear_device_wrap()
    assert read_header(vault_path).device_unlock is None
    with pytest.raises(WrongPassword):
        Vault.open_with_device_key(vault_path, device_key, policy=FAST_POLICY)


def test_sealed_values_and_publish_root(vault_path):
    v = _create(vault_path)
    blob = v.seal(b"weights key", b"row-1")
    again = Vault.open(vault_path, PASSWORD, policy=FAST_POLICY)
    assert again.unseal(blob, b"row-1") == b"weights key"
    with pytest.raises(VaultCorrupt):
        again.unseal(blob, b"row-2")
    root = v.publish_root()
    assert len(root) == 32 and root == again.publish_root()
    other = Vault.create(vault_path.with_name("o.json"), PASSWORD, secret_key=IMPORTED, policy=FAST_POLICY)
    with pytest.raises(VaultCorrupt):
        other.unseal(blob, b"row-1")
    with pytest.raises(AccountError):
        other.publish_root()


# --- durability and compatibility ------------------------------------------------------------------

def test_failed_write_leaves_file_and_memory_consistent(vault_path, monkeypatch):
    v = _create(vault_path)
    before = vault_path.read_bytes()

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(vault_mod, "atomic_write", disk_full)
    with pytest.raises(OSError):
        v.change_password(PASSWORD, "brand new password")
    with pytest.raises(OSError):
        v.add_account("Lost")
    with pytest.raises(OSError):
        v.set_metadata("k", "v")
    assert vault_path.read_bytes() == before
    monkeypatch.undo()
    v.rename(v.accounts[0].address, "Main")  # a later successful write must not carry the failed changes
    assert [a.name for a in v.accounts] == ["Main"] and v.metadata == {}
    assert Vault.open(vault_path, PASSWORD, policy=FAST_POLICY).accounts[0].name == "Main"


GOLDEN = Path(__file__).parent / "golden" / "vault_v1.json"
GOLDEN_ADDRESSES = ["0x5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1",
                    "0xf7c7a39996ac7f1c307b96c96d65cce0855dcc7ccd021c453964f2f62f98e71f",
                    "0x160179a1565ea7cff27ead23f54cc7f50893bf58155cd7285156e57afa31c3ac"]


def test_frozen_v1_vault_still_opens(tmp_path):
    """A vault written by format v1 (tests/wallet/golden) must open in every later release."""
    path = tmp_path / "vault.json"
    path.write_bytes(GOLDEN.read_bytes())
    assert list(read_header(path).addresses) == GOLDEN_ADDRESSES
    v = Vault.open(path, "golden password v1", policy=FAST_POLICY)
    assert v.addresses == GOLDEN_ADDRESSES
    assert [a.name for a in v.accounts] == ["Account 1", "Second", "Imported"]
    assert v.account(GOLDEN_ADDRESSES[2]).secret_key() == bytes(range(32))
    assert v.metadata == {"note": "frozen v1 vault"}
    assert Vault.open_with_device_key(path, bytes(range(32, 64)), policy=FAST_POLICY).addresses == GOLDEN_ADDRESSES


def test_accounts_are_signers_and_journal_key_matches_seal(vault_path):
    v = _create(vault_path)
    assert isinstance(v.accounts[0], Signer)
    key = v.journal_key()
    blob = v.seal(b"secret column", b"7")
    assert AESGCM(key).decrypt(blob[:12], blob[12:], b"7") == b"secret column"


def test_new_vaults_use_the_production_parameters_by_default(vault_path):
    """security.md §9 item 2: one real production-strength create (about a second on 2 cores)."""
    Vault.create(vault_path, PASSWORD, ABANDON)
    doc = json.loads(vault_path.read_bytes())["kdf"]
    assert (doc["alg"], doc["v"], doc["m_kib"], doc["t"], doc["p"]) == ("argon2id", 19, 262_144, 3, 4)
    assert len(base64.b64decode(doc["salt"])) == 16
    assert not kdf_mod.kdf_weaker_than(read_header(vault_path).kdf, kdf_mod.FLOOR_ARGON2)


def test_scrypt_is_the_fallback_without_argon2(monkeypatch):
    monkeypatch.setattr(kdf_mod, "argon2_available", lambda: False)
    policy = kdf_mod.default_policy()
    assert policy.default_kdf == ScryptParams(1 << 17, 8, 1) and policy.floor == policy.default_kdf


_JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=3), max_leaves=6)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, prefix + (i,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_structurally_altered_vault_gives_a_vault_error(vault_path, data):
    """Replace any field with any JSON value and fix up the check: still only VaultError subclasses."""
    if not vault_path.exists():
        _create(vault_path).set_device_wrap(bytes(32), "soma-desktop", "user")
    doc = json.loads(vault_path.read_bytes())
    path = data.draw(st.sampled_from([p for p in _paths(doc) if p and p[0] != "check"]))
    value = data.draw(_JSON_VALUES)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if target[path[-1]] == value:
        return
    target[path[-1]] = value
    altered = vault_path.with_name("altered.json")
    altered.write_bytes(vault_mod._with_check(doc))
    with pytest.raises(VaultError):
        Vault.open(altered, PASSWORD, policy=FAST_POLICY)
    with pytest.raises(VaultError):
        Vault.open_with_device_key(altered, bytes(32), policy=FAST_POLICY)
