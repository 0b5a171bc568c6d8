"""Optional "remember on this device": a random 32-byte device key in the OS keyring wraps the vault's DEK.

The keyring never holds the password or the mnemonic, only that device key, and only on allowlisted
backends (security.md §2.6). Every keyring failure degrades to "ask for the password"; nothing here
raises a keyring exception to the UI.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from soma_desktop.wallet.kdf import KEY_BYTES
from soma_desktop.wallet.vault import Vault, VaultPolicy, WrongPassword, read_header

log = logging.getLogger(__name__)

SERVICE = "soma-desktop"
ALLOWED_BACKENDS = frozenset({
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
})
MAX_STORED_CHARS = 64  # 44 base64 chars in practice; far below Windows' CredWrite blob limit


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_allowed_backend(backend: keyring.backend.KeyringBackend) -> bool:
    """Allowlisted OS backends; a chainer only if every backend it chains is allowlisted."""
    subs = getattr(backend, "backends", None)
    if backend_name(backend) == "keyring.backends.chainer.ChainerBackend":
        return subs is not None and bool(subs) and all(is_allowed_backend(b) for b in subs)
    return backend_name(backend) in ALLOWED_BACKENDS


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str  # plain words for the settings screen


class DeviceUnlock:
    """Remember / forget / unlock a vault through the OS keyring. Inject `is_allowed` in tests."""

    def __init__(self, *, service: str = SERVICE,
                 is_allowed: Callable[[keyring.backend.KeyringBackend], bool] = is_allowed_backend,
                 get_backend: Callable[[], keyring.backend.KeyringBackend] = keyring.get_keyring):
        self._service = service
        self._is_allowed = is_allowed
        self._get_backend = get_backend

    def _backend(self) -> tuple[keyring.backend.KeyringBackend | None, Availability]:
        try:
            backend = self._get_backend()
        except Exception:  # noqa: BLE001 - a broken backend module must not reach the UI
            return None, Availability(False, "The system keyring could not be loaded")
        if not self._is_allowed(backend):
            return None, Availability(False, "No trusted system keyring is available on this computer")
        return backend, Availability(True, "The system keyring can remember this wallet")

    def availability(self) -> Availability:
        return self._backend()[1]

    def remember(self, vault: Vault) -> Availability:
        """Store a fresh device key and add a device wrap to the vault. Returns what happened."""
        backend, status = self._backend()
        if backend is None:
            return status
        device_key = bytearray(os.urandom(KEY_BYTES))
        user = vault.vault_id
        try:
            try:
                backend.set_password(self._service, user, base64.b64encode(bytes(device_key)).decode("ascii"))
            except Exception as exc:  # noqa: BLE001 - any failure of a third-party backend means "unavailable"
                log.info("keyring refused to store the device key: %s", type(exc).__name__)
                return Availability(False, _failure_reason(exc))
            try:
                vault.set_device_wrap(bytes(device_key), self._service, user)
            except BaseException:
                self._delete(backend, user, service=self._service)
                raise
        finally:
            device_key[:] = bytes(len(device_key))
        return Availability(True, "This wallet will unlock without a password on this computer")

    def forget(self, vault: Vault) -> None:
        """Remove the device wrap from the vault and the key from the keyring."""
        ref = vault.device_unlock
        vault.clear_device_wrap()
        if ref is not None:
            backend, _ = self._backend()
            if backend is not None:
                self._delete(backend, ref[1], service=ref[0])

    def is_remembered(self, path: Path | str) -> bool:
        return read_header(path).device_unlock is not None

    def unlock(self, path: Path | str, *, policy: VaultPolicy | None = None) -> Vault | None:
        """The unlocked vault, or None meaning "ask for the password". Vault errors other than a
        stale key (VaultCorrupt, VaultVersionError) propagate: the password would not help either."""
        ref = read_header(path).device_unlock
        if ref is None:
            return None
        backend, _ = self._backend()
        if backend is None:
            return None
        service, user = ref
        try:
            stored = backend.get_password(service, user)
        except Exception as exc:  # noqa: BLE001 - any failure of a third-party backend means "unavailable"
            log.info("keyring read failed: %s", type(exc).__name__)
            return None
        if not stored or len(stored) > MAX_STORED_CHARS:
            return None
        try:
            device_key = base64.b64decode(stored, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(device_key) != KEY_BYTES:
            return None
        try:
            return Vault.open_with_device_key(path, device_key, policy=policy)
        except WrongPassword:
            return None

    @staticmethod
    def _delete(backend: keyring.backend.KeyringBackend, user: str, service: str = SERVICE) -> None:
        try:
            backend.delete_password(service, user)
        except Exception as exc:  # noqa: BLE001 - PasswordDeleteError when already gone, or a locked keyring
            log.info("keyring delete failed: %s", type(exc).__name__)


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, keyring.errors.KeyringLocked):
        return "The system keyring is locked"
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "No system keyring is available on this computer"
    return "The system keyring refused to store the key"
