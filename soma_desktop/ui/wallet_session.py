"""The unlocked wallet every panel shares: vault lifecycle, current account, auto-lock, device unlock.

Key derivation (Argon2id, ~1 s with production parameters) and every vault write run on a worker
thread through the bridge; results come back on the GUI thread. Secrets stay inside the wallet core's
objects; this class never logs, stores or emits them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QWidget

from soma_desktop.core.settings import Settings
from soma_desktop.services.network_facts import NetworkFacts
from soma_desktop.services.wallet import WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.settings_store import persist_settings
from soma_desktop.ui.wallet.transactions import TxTracker
from soma_desktop.wallet import cli_keystore
from soma_desktop.wallet.autolock import MAX_IDLE_S, MIN_IDLE_S, AutoLock
from soma_desktop.wallet.keyring_unlock import Availability, DeviceUnlock
from soma_desktop.wallet.vault import (
    Account,
    Vault,
    VaultError,
    VaultHeader,
    VaultLocked,
    VaultPolicy,
    default_policy,
    read_header,
    vault_exists,
)

log = logging.getLogger(__name__)

VAULT_FILE = "wallet.vault"
KDF_TIMEOUT_S = 180.0
AUTOLOCK_POLL_MS = 5_000

OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


@dataclass(frozen=True)
class WalletEnv:
    """What the session uses of the app: no back-reference to the context that owns it."""

    data_dir: Path
    settings: Settings
    bridge: AsyncBridge
    service: WalletService


def _discard(job: Any) -> None:
    """A transaction coroutine that will never run is closed, so nothing half-built lingers (or warns)."""
    if inspect.iscoroutine(job):
        job.close()


class WalletSession(QObject):
    """Owns the (at most one) unlocked Vault. Created once per app (AppContext.wallet); panels receive it."""

    # ---- Signals -----------------------------------------------------------------------------
    sig_unlocked = Signal()
    """The vault was opened (password or device key)."""
    sig_locked = Signal()
    """The vault was locked (by the user or after idle); every key in memory was wiped."""
    sig_account_changed = Signal(object)
    """The current account changed: Account | None."""
    sig_accounts_changed = Signal()
    """An account was added, imported or renamed."""
    sig_amounts_hidden_changed = Signal(bool)
    """The privacy toggle changed (settings.hide_amounts)."""

    def __init__(self, env: WalletEnv, parent: QObject | None = None, *,
                 policy: VaultPolicy | None = None, device_unlock: DeviceUnlock | None = None,
                 autolock_poll_ms: int = AUTOLOCK_POLL_MS, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.env = env
        self.settings = self.env.settings
        self.path = self.env.data_dir / VAULT_FILE
        self.policy = policy or default_policy()
        self.device = device_unlock or DeviceUnlock()
        self.dialog: QWidget | None = None   # the dialog request_unlock() opened last (tests reach it here)
        self.tracker = TxTracker(self.env.bridge, self.env.service, self)
        self._vault: Vault | None = None
        self._current: Account | None = None
        self._autolock = AutoLock(self._on_autolock_due, self._idle_seconds(), clock=clock)
        self._timer = QTimer(self)
        self._timer.setInterval(autolock_poll_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        # Activity without an app-wide Python event filter (that runs Python for every event of the app
        # and crashed under PySide6 6.12): focus changes, pointer movement sampled by the timer, touch().
        self._last_cursor = QCursor.pos()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    # ---- Public API: state -------------------------------------------------------------------
    def network_facts(self) -> NetworkFacts | None:
        """The open network's name and abilities (None while offline)."""
        return self.env.service.facts()

    def save_settings(self) -> None:
        persist_settings(self.env.bridge, self.env.data_dir, self.settings)

    def has_vault(self) -> bool:
        return vault_exists(self.path)

    def is_unlocked(self) -> bool:
        return self._vault is not None and not self._vault.is_locked

    def vault(self) -> Vault:
        if not self.is_unlocked():
            raise VaultLocked()
        assert self._vault is not None
        return self._vault

    def current_account(self) -> Account | None:
        return self._current if self.is_unlocked() else None

    def accounts(self) -> list[Account]:
        return self._vault.accounts if self._vault is not None and self.is_unlocked() else []

    def set_current(self, address: str) -> None:
        account = self.vault().account(address)
        if account is not self._current:
            self._current = account
            self.settings.last_account = account.address
            self.save_settings()
            self.sig_account_changed.emit(account)

    def journal_key(self) -> bytes:
        """32-byte key for publish-journal secrets (HKDF of the vault's DEK; the key Vault.seal uses)."""
        return self.vault().journal_key()

    def touch(self) -> None:
        """User activity: restart the idle clock."""
        self._autolock.poke()

    def hold(self) -> Callable[[], None]:
        """Keep the wallet unlocked while a signed transaction is in flight; call the result to release."""
        context = self._autolock.hold()
        context.__enter__()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                context.__exit__(None, None, None)
        return release

    def sign_and_run(self, job: Any, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None],
                     label: str, owner: QObject | None = None) -> None:
        """Run one signed WalletService transaction through the tracker, the wallet held unlocked until it ends."""
        try:
            release = self.hold()
        except BaseException:
            _discard(job)
            raise

        def done(out: Any) -> None:
            release()
            on_done(out)

        def failed(exc: BaseException) -> None:
            release()
            on_error(exc)
        try:
            self.tracker.run(job, done, failed, label, owner=owner)
        except BaseException:   # nothing was scheduled: never leave the wallet held open
            release()
            _discard(job)
            raise

    def amounts_hidden(self) -> bool:
        return bool(self.settings.hide_amounts)

    def set_amounts_hidden(self, hidden: bool) -> None:
        if hidden != self.settings.hide_amounts:
            self.settings.hide_amounts = hidden
            self.save_settings()
            self.sig_amounts_hidden_changed.emit(hidden)

    def device_availability(self) -> Availability:
        return self.device.availability()

    def is_remembered(self) -> bool:
        return self.is_unlocked() and self.vault().device_unlock is not None

    # ---- Public API: dialogs -----------------------------------------------------------------
    def request_unlock(self, parent: QWidget | None = None) -> None:
        """Show the unlock dialog (or the create/import wizard when there is no wallet yet)."""
        if self.is_unlocked():
            return
        from soma_desktop.ui.wallet.create_wizard import CreateWalletDialog
        from soma_desktop.ui.wallet.unlock_dialog import UnlockDialog

        previous = self.dialog
        if previous is not None and shiboken6.isValid(previous):
            if previous.isVisible():
                previous.raise_()
                return
            previous.deleteLater()   # a finished wizard or unlock dialog is not reused
        self.dialog = UnlockDialog(self, parent) if self.has_vault() else CreateWalletDialog(self, parent)
        self.dialog.open()

    # ---- Public API: vault operations (all slow work off the GUI thread) ----------------------
    def load_header(self, on_done: OnDone, on_error: OnError) -> None:
        self.run_job(lambda: read_header(self.path), on_done, on_error, "reading the wallet file")

    def create(self, password: str, *, mnemonic: str | None = None, secret_key: bytes | None = None,
               first_name: str = "Account 1", more_keys: list[tuple[str, bytes]] | None = None,
               overwrite: bool = False, on_done: OnDone, on_error: OnError) -> None:
        """A new vault from a phrase and/or imported keys; unlocked when done."""
        def job() -> Vault:
            vault = Vault.create(self.path, password, mnemonic, first_account_name=first_name,
                                 secret_key=secret_key, policy=self.policy, overwrite=overwrite)
            for name, secret in more_keys or []:
                vault.import_account(name, secret)
            return vault
        self.run_job(job, lambda vault: self._adopt(vault, on_done), on_error, "creating the wallet")

    def unlock(self, password: str, *, remember: bool = False, on_done: OnDone, on_error: OnError) -> None:
        def job() -> tuple[Vault, Availability | None]:
            vault = Vault.open(self.path, password, policy=self.policy)
            status = self.device.remember(vault) if remember and vault.device_unlock is None else None
            return vault, status
        on_done = _alive(on_done)
        self.run_job(job, lambda out: self._adopt(out[0], lambda _v: on_done(out[1])), on_error, "unlocking")

    def unlock_with_device(self, on_done: Callable[[bool], None]) -> None:
        """Try the OS keyring; on_done(False) means "ask for the password"."""
        def job() -> Vault | None:
            return self.device.unlock(self.path, policy=self.policy)

        on_done = _alive(on_done)

        def done(vault: Vault | None) -> None:
            if vault is None:
                on_done(False)
            else:
                self._adopt(vault, lambda _v: on_done(True))
        self.run_job(job, done, lambda exc: on_done(False), "unlocking with the system keyring")

    def set_remembered(self, remember: bool, on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()
        if remember:
            self.run_job(lambda: self.device.remember(vault), on_done, on_error, "remembering the wallet")
        else:
            self.run_job(lambda: self.device.forget(vault), on_done, on_error, "forgetting the device key")

    def lock(self) -> None:
        vault, self._vault, self._current = self._vault, None, None
        self._timer.stop()
        self._autolock.disarm()
        if vault is not None:
            vault.lock()
            self.sig_locked.emit()
            self.sig_account_changed.emit(None)

    def add_account(self, name: str | None, on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()
        self.run_job(lambda: vault.add_account(name), self._accounts_changed(on_done), on_error, "adding an account")

    def import_keys(self, keys: list[tuple[str, bytes]], on_done: OnDone, on_error: OnError) -> None:
        """Add raw 32-byte secrets under the given names; keys already present are skipped."""
        vault = self.vault()

        def job() -> list[Account]:
            known = set(vault.addresses)
            added = []
            for name, secret in keys:
                from soma_desktop.wallet.keys import KeyPair

                probe = KeyPair(secret)
                address = probe.address
                probe.wipe()
                if address in known:
                    continue
                added.append(vault.import_account(_free_name(vault, name), secret))
                known.add(address)
            return added
        self.run_job(job, self._accounts_changed(on_done), on_error, "importing keys")

    def rename(self, address: str, name: str, on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()
        self.run_job(lambda: vault.rename(address, name), self._accounts_changed(on_done), on_error, "renaming")

    def change_password(self, old: str, new: str, on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()
        self.run_job(lambda: vault.change_password(old, new), on_done, on_error, "changing the password")

    def export_bech32(self, address: str, password: str, on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()
        self.run_job(lambda: vault.export_bech32(address, password), on_done, on_error, "exporting the key")

    def export_to_cli(self, address: str, password: str, alias: str, config_dir: str | None,
                      on_done: OnDone, on_error: OnError) -> None:
        vault = self.vault()

        def job() -> cli_keystore.CliExport:
            secret = vault.export_secret_key(address, password)
            return cli_keystore.export_to_cli(secret, alias, config_dir)
        self.run_job(job, on_done, on_error, "writing the CLI keystore")

    # ---- Private -------------------------------------------------------------------------------
    def run_job(self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError, label: str) -> None:
        """Run blocking `fn` (KDF, file I/O) on a worker thread; callbacks on the GUI thread."""
        self.touch()
        self.env.bridge.call(asyncio.to_thread(fn), on_result=_alive(on_done), on_error=_alive(on_error),
                             timeout=KDF_TIMEOUT_S,
                             owner=self, label=label)

    def _accounts_changed(self, on_done: OnDone) -> OnDone:
        on_done = _alive(on_done)

        def done(result: Any) -> None:
            self.sig_accounts_changed.emit()
            on_done(result)
        return done

    def _adopt(self, vault: Vault, on_done: OnDone) -> None:
        if self._vault is not None and self._vault is not vault:
            self._vault.lock()
        self._vault = vault
        accounts = vault.accounts
        wanted = self.settings.last_account
        self._current = next((a for a in accounts if a.address == wanted), accounts[0] if accounts else None)
        self._autolock.set_timeout(self._idle_seconds())
        self._autolock.arm()
        self._timer.start()
        self.sig_unlocked.emit()
        self.sig_account_changed.emit(self._current)
        _alive(on_done)(vault)

    def _idle_seconds(self) -> float:
        minutes = int(self.settings.auto_lock_minutes or 10)
        return float(min(max(minutes * 60, MIN_IDLE_S), MAX_IDLE_S))

    def _on_timer_timeout(self) -> None:
        cursor = QCursor.pos()
        if cursor != self._last_cursor:
            self._last_cursor = cursor
            self._autolock.poke()
        if self._autolock.timeout_s != self._idle_seconds():   # the setting changed meanwhile
            self._autolock.set_timeout(self._idle_seconds())
        self._autolock.check()

    def _on_autolock_due(self) -> None:
        log.info("wallet locked after %d s idle", int(self._autolock.timeout_s))
        self.lock()

    def _on_app_focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self._autolock.poke()


def _alive(callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """Skip a dialog's callback once its widget is deleted (the session outlives every dialog)."""
    target = callback.__self__ if isinstance(callback, types.MethodType) else None
    if not isinstance(target, QObject):
        return callback

    def call(value: Any) -> None:
        if shiboken6.isValid(target):
            callback(value)
    return call


def _free_name(vault: Vault, wanted: str) -> str:
    """`wanted`, or `wanted (2)`, … so an import never fails on a duplicate name."""
    taken = {a.name.casefold() for a in vault.accounts}
    base = " ".join(wanted.split())[:56] or "Imported"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base} ({n})"
    return name


__all__ = ["VAULT_FILE", "VaultError", "VaultHeader", "WalletEnv", "WalletSession"]
