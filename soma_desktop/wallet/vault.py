"""The encrypted key vault (security.md §2.4, format v1).

File = canonical JSON (sorted keys, no whitespace):
    format, version, vault_id, kdf{alg, salt, params}, kek_wrap{nonce, ct}, device_wrap{…}|null,
    payload{nonce, ct}, addresses[], check
- A random 32-byte DEK encrypts the payload (mnemonic, passphrase, accounts, metadata) with AES-256-GCM.
- The DEK is wrapped by the KEK = Argon2id(password) (`kek_wrap`), and optionally by a device key that
  lives in the OS keyring (`device_wrap`). A password change rewraps the DEK only.
- AAD: the payload binds the whole header (everything but its own ciphertext and `check`); each wrap
  binds the fields it depends on (format, version, vault_id, kdf or keyring names).
- `check` = Blake2b-256 of the file without it. It is not a security boundary (GCM is); it tells
  accidental or random damage (VaultCorrupt) apart from a wrong password (WrongPassword).
- KDF parameters are checked against hard ceilings before any derivation (a planted vault must not
  make us allocate gigabytes or spin for minutes).
Python cannot truly erase immutable str/bytes; we keep secrets in bytearrays we own and zero them on
lock, and drop every other reference.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from soma_desktop.core.ids import normalize_id
from soma_desktop.core.paths import ensure_private_dir
from soma_desktop.core.storage import atomic_write
from soma_desktop.wallet.errors import (
    AccountError,
    InvalidPassword,
    VaultCorrupt,
    VaultError,
    VaultExists,
    VaultLocked,
    VaultVersionError,
    WeakPassword,
    WrongPassword,
)
from soma_desktop.wallet.kdf import (
    FLOOR_ARGON2,
    KEY_BYTES,
    PRODUCTION_ARGON2,
    PRODUCTION_SCRYPT,
    SALT_BYTES,
    Argon2Params,
    KdfParams,
    ScryptParams,
    VaultPolicy,
    argon2_available,
    check_kdf_ceilings,
    default_policy,
    derive_kek,
    kdf_weaker_than,
    password_bytes,
)
from soma_desktop.wallet.keys import KeyPair, derive_secret
from soma_desktop.wallet.mnemonic import mnemonic_to_seed, validate_mnemonic
from soma_desktop.wallet.slip10 import MAX_ACCOUNT_INDEX

FORMAT = "soma-desktop-vault"
VERSION = 1
ARGON2_VERSION = 19  # 0x13, the only Argon2 version cryptography implements
NONCE_BYTES = 12
MAX_VAULT_BYTES = 1 << 20
MAX_ACCOUNTS = 1000
MAX_NAME_CHARS = 64
MAX_METADATA_KEYS = 64
_PAD_TO = 512  # payload length is padded so the file size does not tell 12 from 24 words

_KEK_PURPOSE = "kek_wrap"
_DEVICE_PURPOSE = "device_wrap"
_JOURNAL_INFO = b"soma-desktop/journal-columns/v1"
_PUBLISH_ROOT_INFO = b"soma/publish-root/v1"


# --- encoding helpers ----------------------------------------------------------------------

def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise VaultCorrupt(f"The vault's {what} is not text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VaultCorrupt(f"The vault's {what} is not valid base64") from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise VaultCorrupt("The vault file repeats a field")
        out[key] = value
    return out


def _strict_int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise VaultCorrupt(f"The vault's {what} is not an integer")
    return value


def _kdf_to_json(params: KdfParams, salt: bytes) -> dict[str, Any]:
    if isinstance(params, Argon2Params):
        return {"alg": "argon2id", "v": ARGON2_VERSION, "salt": _b64(salt), "m_kib": params.m_kib,
                "t": params.t, "p": params.p}
    return {"alg": "scrypt", "salt": _b64(salt), "n": params.n, "r": params.r, "p": params.p}


def _kdf_from_json(obj: Any) -> tuple[KdfParams, bytes]:
    if not isinstance(obj, dict):
        raise VaultCorrupt("The vault's KDF section is malformed")
    alg = obj.get("alg")
    if alg == "argon2id":
        if obj.get("v") != ARGON2_VERSION:
            raise VaultVersionError("This vault uses an Argon2 variant this version does not know; update SOMA Desktop")
        if set(obj) != {"alg", "v", "salt", "m_kib", "t", "p"}:
            raise VaultCorrupt("The vault's Argon2 section is malformed")
        params: KdfParams = Argon2Params(_strict_int(obj["m_kib"], "memory cost"),
                                         _strict_int(obj["t"], "iterations"), _strict_int(obj["p"], "lanes"))
    elif alg == "scrypt":
        if set(obj) != {"alg", "salt", "n", "r", "p"}:
            raise VaultCorrupt("The vault's scrypt section is malformed")
        params = ScryptParams(_strict_int(obj["n"], "scrypt N"), _strict_int(obj["r"], "scrypt r"),
                              _strict_int(obj["p"], "scrypt p"))
    else:
        raise VaultVersionError("This vault uses a key-derivation function this version does not know; "
                                "update SOMA Desktop")
    salt = _unb64(obj["salt"], "salt")
    check_kdf_ceilings(params, salt)
    return params, salt


def _sealed(obj: Any, what: str) -> tuple[bytes, bytes]:
    if not isinstance(obj, dict):
        raise VaultCorrupt(f"The vault's {what} section is malformed")
    nonce, ct = _unb64(obj.get("nonce"), f"{what} nonce"), _unb64(obj.get("ct"), f"{what} ciphertext")
    if len(nonce) != NONCE_BYTES:  # AESGCM accepts other sizes; we insist on 12 (security.md §2.3)
        raise VaultCorrupt(f"The vault's {what} nonce has the wrong size")
    if len(ct) < 16:
        raise VaultCorrupt(f"The vault's {what} ciphertext is truncated")
    return nonce, ct


def _seal(key: bytes | bytearray, plaintext: bytes, aad: bytes) -> dict[str, Any]:
    nonce = os.urandom(NONCE_BYTES)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(bytes(key)).encrypt(nonce, plaintext, aad))}


def _kek_aad(doc: dict[str, Any]) -> bytes:
    return _canonical({"purpose": _KEK_PURPOSE, "format": doc["format"], "version": doc["version"],
                       "vault_id": doc["vault_id"], "kdf": doc["kdf"]})


def _device_aad(doc: dict[str, Any], service: str, user: str) -> bytes:
    return _canonical({"purpose": _DEVICE_PURPOSE, "format": doc["format"], "version": doc["version"],
                       "vault_id": doc["vault_id"], "keyring_service": service, "keyring_user": user})


def _payload_aad(doc: dict[str, Any]) -> bytes:
    header = {k: v for k, v in doc.items() if k not in ("check", "payload")}
    header["payload"] = {"nonce": doc["payload"]["nonce"]}
    return _canonical(header)


def _with_check(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "check"}
    return _canonical({**body, "check": hashlib.blake2b(_canonical(body), digest_size=32).hexdigest()})


# --- reading the header --------------------------------------------------------------------

@dataclass(frozen=True)
class VaultHeader:
    """What can be known without the password (the unlock screen shows the addresses)."""

    vault_id: str
    version: int
    addresses: tuple[str, ...]
    kdf: KdfParams
    device_unlock: tuple[str, str] | None  # (keyring service, keyring user) when "remembered"


def _load_doc(path: Path) -> tuple[dict[str, Any], VaultHeader]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_VAULT_BYTES + 1)
    except FileNotFoundError:
        raise VaultError(f"No wallet file at {path}") from None
    if len(raw) > MAX_VAULT_BYTES:
        raise VaultCorrupt("The vault file is too large to be a SOMA Desktop vault")
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError):  # bad UTF-8, bad JSON, or an integer beyond Python's digit limit
        raise VaultCorrupt("The vault file is damaged (not valid JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VaultCorrupt("This is not a SOMA Desktop vault file")
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        if type(version) is int and version > VERSION:
            raise VaultVersionError("This vault was written by a newer SOMA Desktop; update the app to open it")
        raise VaultCorrupt("The vault file has an invalid version")
    expected_keys = {"format", "version", "vault_id", "kdf", "kek_wrap", "device_wrap", "payload", "addresses",
                     "check"}
    if set(doc) != expected_keys:
        raise VaultCorrupt("The vault file has missing or unexpected fields")
    if _with_check(doc) != raw:
        raise VaultCorrupt("The vault file is damaged or was modified (integrity check failed)")
    return doc, _parse_header(doc)


def _parse_header(doc: dict[str, Any]) -> VaultHeader:
    kdf, _salt = _kdf_from_json(doc["kdf"])
    if not isinstance(doc["vault_id"], str) or not 1 <= len(doc["vault_id"]) <= 64:
        raise VaultCorrupt("The vault id is malformed")
    addresses = doc["addresses"]
    if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
        raise VaultCorrupt("The vault's address list is malformed")
    _sealed(doc["kek_wrap"], "key wrap")
    _sealed(doc["payload"], "payload")
    device = None
    if doc["device_wrap"] is not None:
        wrap = doc["device_wrap"]
        _sealed(wrap, "device wrap")
        service, user = wrap.get("keyring_service"), wrap.get("keyring_user")
        if not (isinstance(service, str) and isinstance(user, str)) or set(wrap) != {
                "keyring_service", "keyring_user", "nonce", "ct"}:
            raise VaultCorrupt("The vault's device-unlock section is malformed")
        device = (service, user)
    return VaultHeader(doc["vault_id"], doc["version"], tuple(addresses), kdf, device)


def read_header(path: Path | str) -> VaultHeader:
    """Validate the file's structure, integrity check and KDF ceilings; no password needed."""
    return _load_doc(Path(path))[1]


def vault_exists(path: Path | str) -> bool:
    return Path(path).is_file()


# --- accounts ------------------------------------------------------------------------------

class Account:
    """A named account of the unlocked vault; implements network.base.Signer."""

    __slots__ = ("name", "kind", "index", "_key")

    def __init__(self, name: str, key: KeyPair, kind: str, index: int | None):
        self.name, self._key, self.kind, self.index = name, key, kind, index

    @property
    def address(self) -> str:
        return self._key.address

    @property
    def public_key(self) -> bytes:
        return self._key.public_key

    def secret_key(self) -> bytes:
        return self._key.secret_key()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    @property
    def is_derived(self) -> bool:
        return self.kind == "derived"

    def _wipe(self) -> None:
        self._key.wipe()

    def __repr__(self) -> str:
        where = f"index={self.index}" if self.index is not None else "imported"
        return f"Account(name={self.name!r}, address={self.address}, {where})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("accounts are not serialisable")


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise AccountError("An account needs a name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise AccountError(f"Account names are at most {MAX_NAME_CHARS} characters")
    return cleaned


def _wipe(buf: bytearray | None) -> None:
    if buf is not None:
        for i in range(len(buf)):
            buf[i] = 0


# --- the unlocked vault --------------------------------------------------------------------

class Vault:
    """An unlocked vault. Obtain one with Vault.create / Vault.open / Vault.open_with_device_key.

    Every mutation is written to disk atomically before the call returns. Thread-safe.
    """

    def __init__(self, path: Path, doc: dict[str, Any], dek: bytearray, payload: dict[str, Any],
                 policy: VaultPolicy):
        self._path = path
        self._doc = doc
        self._dek = dek
        self._policy = policy
        self._lock = threading.RLock()
        self._locked = False
        mnemonic = payload["mnemonic"]
        self._mnemonic = bytearray(mnemonic.encode()) if mnemonic is not None else None
        self._passphrase = bytearray(payload["passphrase"].encode())
        self._created_ms: int = payload["created_ms"]
        self._metadata: dict[str, Any] = dict(payload["metadata"])
        self._accounts: list[Account] = []
        self._imported: dict[str, bytearray] = {}
        seed = bytearray(self._seed()) if self._mnemonic is not None else None
        try:
            for entry in payload["accounts"]:
                self._accounts.append(self._build_account(entry, seed))
        finally:
            _wipe(seed)

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str, password: str, mnemonic: str | None = None, *, passphrase: str = "",
               first_account_name: str = "Account 1", secret_key: bytes | None = None,
               policy: VaultPolicy | None = None, overwrite: bool = False) -> Vault:
        """A new vault holding `mnemonic` (account index 0) and/or one imported `secret_key`."""
        policy = policy or default_policy()
        path = Path(path)
        if path.exists() and not overwrite:
            raise VaultExists(f"A wallet already exists at {path}")
        if mnemonic is None and secret_key is None:
            raise ValueError("a new vault needs a recovery phrase or a secret key")
        _check_new_password(password, policy)
        _check_new_kdf(policy.default_kdf, policy)
        phrase = validate_mnemonic(mnemonic) if mnemonic is not None else None
        doc = {"format": FORMAT, "version": VERSION, "vault_id": uuid.uuid4().hex, "device_wrap": None,
               "addresses": [], "payload": {"nonce": "", "ct": ""}}
        dek = bytearray(os.urandom(KEY_BYTES))
        _set_password_wrap(doc, dek, password, policy.default_kdf)
        payload: dict[str, Any] = {"mnemonic": phrase, "passphrase": passphrase, "accounts": [],
                   "created_ms": int(time.time() * 1000), "metadata": {}}
        vault = cls(path, doc, dek, payload, policy)
        with vault._lock:
            if phrase is not None:
                vault._accounts.append(vault._build_account(
                    {"name": _clean_name(first_account_name), "kind": "derived", "index": 0}))
            if secret_key is not None:
                name = first_account_name if phrase is None else "Imported 1"
                vault._add_imported(_clean_name(name), secret_key)
            ensure_private_dir(path.parent)
            vault._save()
        return vault

    @classmethod
    def open(cls, path: Path | str, password: str, *, policy: VaultPolicy | None = None) -> Vault:
        """Unlock with the password. Raises WrongPassword, VaultCorrupt or VaultVersionError."""
        policy = policy or default_policy()
        path = Path(path)
        doc, header = _load_doc(path)
        _params, salt = _kdf_from_json(doc["kdf"])
        kek = bytearray(derive_kek(password_bytes(password), header.kdf, salt))
        try:
            dek = _unwrap(kek, doc["kek_wrap"], _kek_aad(doc), WrongPassword())
        finally:
            _wipe(kek)
        vault = cls(path, doc, dek, _decrypt_payload(doc, dek), policy)
        vault._check_addresses()
        _tighten_mode(path)
        if kdf_weaker_than(header.kdf, policy.default_kdf):
            with vault._lock:  # upgrade on unlock (MetaMask's isVaultUpdated idea)
                upgraded = copy.deepcopy(vault._doc)
                _set_password_wrap(upgraded, vault._dek, password, policy.default_kdf)
                vault._save(upgraded)
        return vault

    @classmethod
    def open_with_device_key(cls, path: Path | str, device_key: bytes, *,
                             policy: VaultPolicy | None = None) -> Vault:
        """Unlock with the keyring's device key. Raises WrongPassword if it does not fit (stale item)."""
        path = Path(path)
        doc, header = _load_doc(path)
        if header.device_unlock is None:
            raise WrongPassword("This wallet is not remembered on this device")
        service, user = header.device_unlock
        dek = _unwrap(bytearray(device_key), doc["device_wrap"], _device_aad(doc, service, user),
                      WrongPassword("The remembered device key no longer fits this wallet"))
        vault = cls(path, doc, dek, _decrypt_payload(doc, dek), policy or default_policy())
        vault._check_addresses()
        return vault

    # --- read-only views ------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def vault_id(self) -> str:
        vault_id: str = self._doc["vault_id"]
        return vault_id

    @property
    def is_locked(self) -> bool:
        return self._locked

    @property
    def has_mnemonic(self) -> bool:
        self._require_unlocked()
        return self._mnemonic is not None

    @property
    def accounts(self) -> list[Account]:
        self._require_unlocked()
        return list(self._accounts)

    @property
    def addresses(self) -> list[str]:
        return [a.address for a in self.accounts]

    @property
    def kdf_params(self) -> KdfParams:
        return _kdf_from_json(self._doc["kdf"])[0]

    @property
    def device_unlock(self) -> tuple[str, str] | None:
        wrap = self._doc["device_wrap"]
        return None if wrap is None else (wrap["keyring_service"], wrap["keyring_user"])

    @property
    def created_ms(self) -> int:
        return self._created_ms

    @property
    def metadata(self) -> dict[str, Any]:
        self._require_unlocked()
        return dict(self._metadata)

    def account(self, address: str) -> Account:
        self._require_unlocked()
        try:
            wanted = normalize_id(address)
        except ValueError:
            raise AccountError("That is not a SOMA address") from None
        for acc in self._accounts:
            if acc.address == wanted:
                return acc
        raise AccountError("No such account in this wallet")

    # --- mutations --------------------------------------------------------------------------

    def add_account(self, name: str | None = None) -> Account:
        """Derive the next account (lowest unused index, so a removed account comes back the same)."""
        with self._lock:
            self._require_unlocked()
            if self._mnemonic is None:
                raise AccountError("This wallet has no recovery phrase; import a key instead")
            self._check_room()
            used = {a.index for a in self._accounts if a.index is not None}
            index = next(i for i in range(MAX_ACCOUNT_INDEX + 1) if i not in used)
            account = self._build_account({"name": self._unique_name(name or f"Account {index + 1}"),
                                           "kind": "derived", "index": index})
            self._accounts.append(account)
            self._save_or_rollback(account)
            return account

    def import_account(self, name: str, secret_key: bytes) -> Account:
        """Add a raw 32-byte Ed25519 secret (from somaprivkey, hex or a CLI keystore)."""
        with self._lock:
            self._require_unlocked()
            self._check_room()
            account = self._add_imported(self._unique_name(name), secret_key)
            self._save_or_rollback(account)
            return account

    def rename(self, address: str, new_name: str) -> None:
        with self._lock:
            account = self.account(address)
            cleaned = self._unique_name(new_name, exclude=account)
            old, account.name = account.name, cleaned
            try:
                self._save()
            except BaseException:
                account.name = old
                raise

    def remove(self, address: str) -> None:
        """Forget an account. A derived one can be added back from the phrase; an imported one cannot."""
        with self._lock:
            account = self.account(address)
            if len(self._accounts) == 1:
                raise AccountError("A wallet keeps at least one account")
            position = self._accounts.index(account)
            self._accounts.remove(account)
            try:
                self._save()
            except BaseException:
                self._accounts.insert(position, account)
                raise
            secret = self._imported.pop(account.address, None)
            _wipe(secret)
            account._wipe()

    def set_metadata(self, key: str, value: str | int | bool | None) -> None:
        """Non-secret settings stored encrypted with the vault (e.g. the default account)."""
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            raise ValueError("metadata keys are 1-64 characters")
        if not isinstance(value, (str, int, bool, type(None))):
            raise TypeError("metadata values are str, int, bool or None")
        with self._lock:
            self._require_unlocked()
            if key not in self._metadata and len(self._metadata) >= MAX_METADATA_KEYS:
                raise ValueError("too many metadata entries")
            previous = dict(self._metadata)
            self._metadata[key] = value
            try:
                self._save()
            except BaseException:
                self._metadata = previous
                raise

    def change_password(self, old_password: str, new_password: str) -> None:
        """Rewrap the DEK under a new password with fresh salt and the current default parameters."""
        with self._lock:
            self.verify_password(old_password)
            _check_new_password(new_password, self._policy)
            doc = copy.deepcopy(self._doc)
            _set_password_wrap(doc, self._dek, new_password, self._policy.default_kdf)
            self._save(doc)

    def verify_password(self, password: str) -> None:
        """Raise WrongPassword unless `password` unwraps this vault's DEK (re-entry before exports)."""
        with self._lock:
            self._require_unlocked()
            params, salt = _kdf_from_json(self._doc["kdf"])
            kek = bytearray(derive_kek(password_bytes(password), params, salt))
            try:
                dek = _unwrap(kek, self._doc["kek_wrap"], _kek_aad(self._doc), WrongPassword())
            finally:
                _wipe(kek)
            same = hmac.compare_digest(bytes(dek), bytes(self._dek))
            _wipe(dek)
            if not same:
                raise WrongPassword()

    def export_bech32(self, address: str, password: str) -> str:
        """`somaprivkey1…` for one account, only after the password is entered again."""
        self.verify_password(password)
        return self.account(address)._key.to_bech32()

    def export_secret_key(self, address: str, password: str) -> bytes:
        """Raw 32-byte secret after password re-entry (for writing a CLI keystore entry)."""
        self.verify_password(password)
        return self.account(address).secret_key()

    def reveal_mnemonic(self, password: str) -> str:
        """The recovery phrase for a backup check, only after the password is entered again."""
        self.verify_password(password)
        with self._lock:
            if self._mnemonic is None:
                raise AccountError("This wallet has no recovery phrase")
            return self._mnemonic.decode()

    # --- device (keyring) unlock ---------------------------------------------------------------

    def set_device_wrap(self, device_key: bytes, service: str, user: str) -> None:
        """Also wrap the DEK under a device key (kept by the caller in the OS keyring)."""
        if len(device_key) != KEY_BYTES:
            raise ValueError("a device key is 32 bytes")
        with self._lock:
            self._require_unlocked()
            doc = copy.deepcopy(self._doc)
            doc["device_wrap"] = {"keyring_service": service, "keyring_user": user,
                                  **_seal(device_key, bytes(self._dek), _device_aad(doc, service, user))}
            self._save(doc)

    def clear_device_wrap(self) -> None:
        with self._lock:
            self._require_unlocked()
            if self._doc["device_wrap"] is not None:
                self._save({**self._doc, "device_wrap": None})

    # --- keys for other components ---------------------------------------------------------------

    def journal_key(self) -> bytes:
        """32-byte HKDF subkey of the DEK for secret journal columns (what seal/unseal use)."""
        with self._lock:
            return self._journal_key()

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """AES-256-GCM under a DEK subkey, for secret journal columns (aad = row id). nonce ‖ ct."""
        with self._lock:
            key = self._journal_key()
            nonce = os.urandom(NONCE_BYTES)
            return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)

    def unseal(self, blob: bytes, aad: bytes) -> bytes:
        with self._lock:
            key = self._journal_key()
            if len(blob) < NONCE_BYTES + 16:
                raise VaultCorrupt("A sealed value is truncated")
            try:
                return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
            except InvalidTag:
                raise VaultCorrupt("A sealed value is damaged or belongs to another wallet") from None

    def publish_root(self) -> bytes:
        """HKDF-SHA256(bip39 seed, info "soma/publish-root/v1") — the root of per-commit weights keys (§3)."""
        with self._lock:
            self._require_unlocked()
            if self._mnemonic is None:
                raise AccountError("This wallet has no recovery phrase to derive publish keys from")
            seed = bytearray(self._seed())
            try:
                hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PUBLISH_ROOT_INFO)
                return hkdf.derive(bytes(seed))
            finally:
                _wipe(seed)

    # --- locking ----------------------------------------------------------------------------

    def lock(self) -> None:
        """Zero every secret buffer this object owns and drop the references."""
        with self._lock:
            for account in self._accounts:
                account._wipe()
            for secret in self._imported.values():
                _wipe(secret)
            _wipe(self._dek)
            _wipe(self._mnemonic)
            _wipe(self._passphrase)
            self._accounts, self._imported, self._mnemonic = [], {}, None
            self._metadata = {}
            self._locked = True

    def __repr__(self) -> str:
        state = "locked" if self._locked else f"{len(self._accounts)} accounts"
        return f"Vault({self._path.name}, {state})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("an unlocked vault is not serialisable")

    # --- internals --------------------------------------------------------------------------

    def _require_unlocked(self) -> None:
        if self._locked:
            raise VaultLocked()

    def _check_room(self) -> None:
        if len(self._accounts) >= MAX_ACCOUNTS:
            raise AccountError(f"A wallet holds at most {MAX_ACCOUNTS} accounts")

    def _unique_name(self, name: str, exclude: Account | None = None) -> str:
        cleaned = _clean_name(name)
        if any(a.name.casefold() == cleaned.casefold() for a in self._accounts if a is not exclude):
            raise AccountError(f"An account named {cleaned!r} already exists")
        return cleaned

    def _seed(self) -> bytes:
        assert self._mnemonic is not None
        return mnemonic_to_seed(self._mnemonic.decode(), self._passphrase.decode())

    def _build_account(self, entry: dict[str, Any], seed: bytearray | None = None) -> Account:
        if entry["kind"] == "derived":
            if self._mnemonic is None:
                raise VaultCorrupt("A derived account without a recovery phrase")
            secret = bytearray(derive_secret(bytes(seed) if seed is not None else self._seed(), entry["index"]))
            try:
                key = KeyPair(secret)
            finally:
                _wipe(secret)
            return Account(entry["name"], key, "derived", entry["index"])
        secret = bytearray(bytes.fromhex(entry["secret"]))
        key = KeyPair(secret)
        self._imported[key.address] = secret
        return Account(entry["name"], key, "imported", None)

    def _add_imported(self, name: str, secret_key: bytes) -> Account:
        key = KeyPair(secret_key)
        if any(a.address == key.address for a in self._accounts):
            key.wipe()
            raise AccountError("That key is already in this wallet")
        self._imported[key.address] = bytearray(secret_key)
        account = Account(name, key, "imported", None)
        self._accounts.append(account)
        return account

    def _save_or_rollback(self, account: Account) -> None:
        try:
            self._save()
        except BaseException:
            self._accounts.remove(account)
            _wipe(self._imported.pop(account.address, None))
            account._wipe()
            raise

    def _payload_bytes(self) -> bytes:
        entries = []
        for acc in self._accounts:
            if acc.kind == "derived":
                entries.append({"name": acc.name, "kind": "derived", "index": acc.index})
            else:
                entries.append({"name": acc.name, "kind": "imported", "secret": self._imported[acc.address].hex()})
        body = _canonical({"mnemonic": self._mnemonic.decode() if self._mnemonic is not None else None,
                           "passphrase": self._passphrase.decode(), "accounts": entries,
                           "created_ms": self._created_ms, "metadata": self._metadata})
        return body + b" " * (-len(body) % _PAD_TO)

    def _save(self, doc: dict[str, Any] | None = None) -> None:
        """Write `doc` (default: the current header) with a freshly encrypted payload; adopt it on success."""
        self._require_unlocked()
        doc = copy.deepcopy(doc if doc is not None else self._doc)
        doc["addresses"] = [a.address for a in self._accounts]
        nonce = os.urandom(NONCE_BYTES)
        doc["payload"] = {"nonce": _b64(nonce), "ct": ""}
        ct = AESGCM(bytes(self._dek)).encrypt(nonce, self._payload_bytes(), _payload_aad(doc))
        doc["payload"]["ct"] = _b64(ct)
        doc.pop("check", None)
        atomic_write(self._path, _with_check(doc), mode=0o600)
        self._doc = doc

    def _journal_key(self) -> bytes:
        self._require_unlocked()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_JOURNAL_INFO).derive(bytes(self._dek))

    def _check_addresses(self) -> None:
        if [a.address for a in self._accounts] != list(self._doc["addresses"]):
            self.lock()
            raise VaultCorrupt("The vault's address list does not match its keys")


# --- module helpers -----------------------------------------------------------------------------

def _tighten_mode(path: Path) -> None:
    """A vault restored from a backup may come back world-readable; it is 0600 from here on."""
    try:
        if os.name == "posix" and os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass


def _check_new_password(password: str, policy: VaultPolicy) -> None:
    if not isinstance(password, str) or len(password) < policy.min_password_chars:
        raise WeakPassword(f"Use a password of at least {policy.min_password_chars} characters")


def _check_new_kdf(params: KdfParams, policy: VaultPolicy) -> None:
    if kdf_weaker_than(params, policy.floor):
        raise ValueError("KDF parameters below the floor for new vaults")


def _set_password_wrap(doc: dict[str, Any], dek: bytearray, password: str, params: KdfParams) -> None:
    salt = os.urandom(SALT_BYTES)
    doc["kdf"] = _kdf_to_json(params, salt)
    kek = bytearray(derive_kek(password_bytes(password), params, salt))
    try:
        doc["kek_wrap"] = _seal(kek, bytes(dek), _kek_aad(doc))
    finally:
        _wipe(kek)


def _unwrap(key: bytearray, wrap: dict[str, Any], aad: bytes, error: VaultError) -> bytearray:
    nonce, ct = _sealed(wrap, "key wrap")
    try:
        dek = bytearray(AESGCM(bytes(key)).decrypt(nonce, ct, aad))
    except InvalidTag:
        raise error from None
    if len(dek) != KEY_BYTES:
        raise VaultCorrupt("The vault's wrapped key has the wrong size")
    return dek


def _decrypt_payload(doc: dict[str, Any], dek: bytearray) -> dict[str, Any]:
    nonce, ct = _sealed(doc["payload"], "payload")
    try:
        plain = AESGCM(bytes(dek)).decrypt(nonce, ct, _payload_aad(doc))
    except InvalidTag:
        _wipe(dek)
        raise VaultCorrupt("The vault's contents are damaged or were modified") from None
    try:
        payload = json.loads(plain.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
        return _validate_payload(payload)
    except Exception as exc:  # anything malformed inside an authentic payload is still "corrupt"
        _wipe(dek)
        if isinstance(exc, VaultError):
            raise
        raise VaultCorrupt("The vault's contents are malformed") from None


def _validate_payload(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict) or set(payload) != {"mnemonic", "passphrase", "accounts", "created_ms",
                                                           "metadata"}:
        raise VaultCorrupt("The vault's contents are malformed")
    if payload["mnemonic"] is not None:
        validate_mnemonic(payload["mnemonic"])
    if not isinstance(payload["passphrase"], str) or not isinstance(payload["metadata"], dict):
        raise VaultCorrupt("The vault's contents are malformed")
    _strict_int(payload["created_ms"], "creation time")
    accounts = payload["accounts"]
    if not isinstance(accounts, list) or len(accounts) > MAX_ACCOUNTS:
        raise VaultCorrupt("The vault's account list is malformed")
    for entry in accounts:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind == "derived" and set(entry) == {"name", "kind", "index"}:
            index = _strict_int(entry["index"], "account index")
            if not 0 <= index <= MAX_ACCOUNT_INDEX:
                raise VaultCorrupt("An account index is out of range")
        elif kind == "imported" and set(entry) == {"name", "kind", "secret"}:
            if not isinstance(entry["secret"], str) or len(entry["secret"]) != 64:
                raise VaultCorrupt("An imported key is malformed")
            bytes.fromhex(entry["secret"])
        else:
            raise VaultCorrupt("An account entry is malformed")
        if not isinstance(entry["name"], str):
            raise VaultCorrupt("An account name is malformed")
    return payload


__all__ = [
    "Account", "AccountError", "Argon2Params", "FLOOR_ARGON2", "InvalidPassword", "KdfParams",
    "PRODUCTION_ARGON2", "PRODUCTION_SCRYPT", "ScryptParams", "Vault", "VaultCorrupt", "VaultError",
    "VaultExists", "VaultHeader", "VaultLocked", "VaultPolicy", "VaultVersionError", "WeakPassword",
    "WrongPassword", "argon2_available", "check_kdf_ceilings", "default_policy", "derive_kek",
    "kdf_weaker_than", "read_header", "vault_exists",
]
