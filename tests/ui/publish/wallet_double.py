"""A stand-in for ctx.wallet (ui_rules.md contract) holding the funded sandbox demo account.

The sandbox does not check signatures, so the secret is a fixed test value; the journal key is fixed so a
"restarted" app (new context, same data dir) can read the journal written before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

DEMO_ADDRESS = "0x5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1"
OTHER_ADDRESS = "0x" + "ab" * 32


@dataclass(frozen=True)
class DemoAccount:
    address: str
    name: str

    def secret_key(self) -> bytes:
        return bytes(range(32))


class FakeWallet(QObject):
    sig_unlocked = Signal()
    sig_locked = Signal()
    sig_account_changed = Signal(object)
    sig_accounts_changed = Signal()

    def __init__(self, unlocked: bool = True, accounts: tuple[str, ...] = (DEMO_ADDRESS,)):
        super().__init__()
        self._accounts = [DemoAccount(a, f"Account {i + 1}") for i, a in enumerate(accounts)]
        self._unlocked = unlocked
        self.unlock_requests = 0

    def is_unlocked(self) -> bool:
        return self._unlocked

    def amounts_hidden(self) -> bool:
        return False

    def hold(self) -> Callable[[], None]:
        """No auto-lock here: nothing to hold open."""
        return lambda: None

    def has_vault(self) -> bool:
        return True

    def current_account(self):
        return self._accounts[0] if self._unlocked else None

    def accounts(self) -> list:
        return list(self._accounts) if self._unlocked else []

    def request_unlock(self, parent=None) -> None:
        self.unlock_requests += 1
        self.unlock()

    def unlock(self) -> None:
        self._unlocked = True
        self.sig_unlocked.emit()
        self.sig_account_changed.emit(self._accounts[0])

    def lock(self) -> None:
        self._unlocked = False
        self.sig_locked.emit()

    def journal_key(self) -> bytes:
        if not self._unlocked:
            raise RuntimeError("locked")
        return b"J" * 32

    def touch(self) -> None:
        return

    def set_current(self, address: str) -> None:
        self._accounts.sort(key=lambda a: a.address != address)     # the chosen account first
        self.sig_account_changed.emit(self._accounts[0])
