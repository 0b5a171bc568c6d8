from __future__ import annotations

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest

from soma_desktop.wallet.keyring_unlock import (
    MAX_STORED_CHARS,
    SERVICE,
    DeviceUnlock,
    backend_name,
    is_allowed_backend,
)
from soma_desktop.wallet.vault import Vault, VaultCorrupt, read_header
from tests.wallet.wallet_helpers import ABANDON, FAST_POLICY, PASSWORD


def _allow_all(_backend) -> bool:
    return True


@pytest.fixture
def vault(vault_path):
    return Vault.create(vault_path, PASSWORD, ABANDON, policy=FAST_POLICY)


class LockedKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")


def test_allowlist_names_only_os_backends(memory_keyring):
    assert not is_allowed_backend(memory_keyring)
    assert not is_allowed_backend(keyring.backends.null.Keyring())
    assert not is_allowed_backend(keyring.backends.fail.Keyring())
    assert backend_name(keyring.backends.fail.Keyring()) == "keyring.backends.fail.Keyring"

    plaintext = _named("keyrings.alt.file", "PlaintextKeyring")()
    secret_service = _named("keyring.backends.SecretService", "Keyring")()
    assert not is_allowed_backend(plaintext)
    assert is_allowed_backend(secret_service)
    chain = _named("keyring.backends.chainer", "ChainerBackend")()
    for backends, allowed in (([memory_keyring], False), ([], False), ([secret_service, plaintext], False),
                              ([secret_service], True)):
        chain.backends = backends
        assert is_allowed_backend(chain) is allowed


def _named(module: str, qualname: str) -> type:
    """A stand-in class that reports another backend's import path (the allowlist goes by name)."""
    cls = type(qualname, (), {})
    cls.__module__, cls.__qualname__ = module, qualname
    return cls


def test_default_allowlist_refuses_the_test_keyring(vault, memory_keyring):
    unlock = DeviceUnlock()
    assert not unlock.availability().available
    assert not unlock.remember(vault).available
    assert memory_keyring.store == {}
    assert read_header(vault.path).device_unlock is None


def test_remember_then_unlock_without_password(vault, memory_keyring):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    assert unlock.availability().available
    assert unlock.remember(vault).available
    ((service, user), stored), = memory_keyring.store.items()
    assert (service, user) == (SERVICE, vault.vault_id)
    assert len(stored) <= MAX_STORED_CHARS and len(stored) == 44
    assert unlock.is_remembered(vault.path)
    opened = unlock.unlock(vault.path, policy=FAST_POLICY)
    assert opened is not None and opened.addresses == vault.addresses


def test_secrets_never_reach_the_keyring(vault, memory_keyring):
    DeviceUnlock(is_allowed=_allow_all).remember(vault)
    stored = "".join(memory_keyring.store.values())
    assert PASSWORD not in stored and "abandon" not in stored
    assert vault.accounts[0].secret_key().hex() not in stored


def test_forget_removes_item_and_wrap(vault, memory_keyring):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    unlock.remember(vault)
    unlock.forget(vault)
    assert memory_keyring.store == {}
    assert not unlock.is_remembered(vault.path)
    assert unlock.unlock(vault.path) is None


def test_stale_or_garbage_keyring_item_falls_back_to_password(vault, memory_keyring):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    unlock.remember(vault)
    key = (SERVICE, vault.vault_id)
    for garbage in ("A" * 44, "not base64!", "QUJD", "x" * 500):
        memory_keyring.store[key] = garbage
        assert unlock.unlock(vault.path, policy=FAST_POLICY) is None
    del memory_keyring.store[key]
    assert unlock.unlock(vault.path, policy=FAST_POLICY) is None


def test_no_keyring_and_locked_keyring_degrade_to_password(vault):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert not unlock.remember(vault).available  # fail.Keyring raises NoKeyringError
    keyring.set_keyring(LockedKeyring())
    status = unlock.remember(vault)
    assert not status.available and "locked" in status.reason
    assert read_header(vault.path).device_unlock is None


def test_keyring_failing_at_read_time_falls_back(vault, memory_keyring):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    unlock.remember(vault)
    keyring.set_keyring(LockedKeyring())
    assert unlock.unlock(vault.path, policy=FAST_POLICY) is None
    unlock.forget(vault)  # a locked keyring on delete is not an error for the caller
    assert read_header(vault.path).device_unlock is None

    def broken_backend():
        raise RuntimeError("backend import failed")
    assert not DeviceUnlock(get_backend=broken_backend).availability().available


def test_corrupt_vault_is_reported_not_hidden(vault, memory_keyring):
    unlock = DeviceUnlock(is_allowed=_allow_all)
    unlock.remember(vault)
    vault.path.write_bytes(vault.path.read_bytes()[:-5])
    with pytest.raises(VaultCorrupt):
        unlock.unlock(vault.path)


def test_failed_vault_write_removes_the_new_keyring_item(vault, memory_keyring, monkeypatch):
    import soma_desktop.wallet.vault as vault_mod

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(vault_mod, "atomic_write", disk_full)
    with pytest.raises(OSError):
        DeviceUnlock(is_allowed=_allow_all).remember(vault)
    assert memory_keyring.store == {}
    assert vault.device_unlock is None
