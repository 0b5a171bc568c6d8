"""Which account pays: a combo box of the wallet's accounts, shared with the Wallet panel's selection."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QComboBox, QWidget

from soma_desktop.core.ids import short_id
from soma_desktop.wallet.vault import Account


class AccountChoice(Protocol):
    """What the picker reads of the wallet session (WalletSession provides it)."""

    @property
    def sig_unlocked(self) -> SignalInstance: ...

    @property
    def sig_locked(self) -> SignalInstance: ...

    @property
    def sig_accounts_changed(self) -> SignalInstance: ...

    @property
    def sig_account_changed(self) -> SignalInstance: ...

    def is_unlocked(self) -> bool: ...

    def accounts(self) -> list[Account]: ...

    def current_account(self) -> Account | None: ...

    def set_current(self, address: str) -> None: ...


class AccountPicker(QComboBox):
    """Lists the unlocked wallet's accounts; choosing one makes it the current account everywhere."""

    def __init__(self, session: AccountChoice, parent: QWidget | None = None, *, prefix: str = ""):
        super().__init__(parent)
        self.session = session
        self.prefix = prefix
        self.setObjectName("accountPicker")
        self.setAccessibleName("Account that signs and pays")
        self.setToolTip("The account that signs and pays; the same choice as the selected row on the Wallet panel")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for signal in (session.sig_unlocked, session.sig_locked, session.sig_accounts_changed):
            signal.connect(self.fill)
        session.sig_account_changed.connect(lambda _account: self.fill())
        self.activated.connect(self._on_activated)
        self.fill()

    def fill(self) -> None:
        unlocked = self.session.is_unlocked()
        accounts = self.session.accounts() if unlocked else []
        current = self.session.current_account() if unlocked else None
        self.blockSignals(True)
        self.clear()
        for account in accounts:
            self.addItem(f"{self.prefix}{account.name} ({short_id(account.address)})", account.address)
            if current is not None and account.address == current.address:
                self.setCurrentIndex(self.count() - 1)
        self.blockSignals(False)
        self.setVisible(len(accounts) > 0)

    def _on_activated(self, index: int) -> None:
        address = self.itemData(index)
        if address:
            self.session.set_current(address)
