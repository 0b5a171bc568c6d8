"""Unlock the wallet: shows which accounts the file holds, asks the password, optionally remembers it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from soma_desktop.core.ids import short_id
from soma_desktop.ui.wallet.common import BusyRow, ErrorLabel, password_edit, plain_error, settle_buttons
from soma_desktop.wallet.vault import WrongPassword

if TYPE_CHECKING:
    from soma_desktop.ui.wallet_session import WalletSession


class UnlockDialog(QDialog):
    def __init__(self, session: WalletSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.restore_dialog: QDialog | None = None
        self.setWindowTitle("Unlock wallet")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.accounts_label = QLabel("Reading the wallet file…")
        self.accounts_label.setObjectName("vaultAccounts")
        self.accounts_label.setWordWrap(True)
        layout.addWidget(self.accounts_label)
        self.password_edit = password_edit("Wallet password", "passwordEdit")
        layout.addWidget(self.password_edit)
        self.remember_check = QCheckBox("Unlock with the system keyring on this computer")
        status = session.device_availability()
        self.remember_check.setEnabled(status.available)
        self.remember_check.setToolTip(status.reason)
        layout.addWidget(self.remember_check)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton("Forgot password? Restore…")
        self.restore_button.setToolTip("Replace this wallet file using your recovery phrase or a secret key")
        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        # Enter means Unlock, whatever holds focus; Restore replaces the wallet file and is never a default.
        settle_buttons(self, self.unlock_button)
        # Tab reaches Unlock right after the password; the restore escape hatch comes last.
        QWidget.setTabOrder(self.password_edit, self.remember_check)
        QWidget.setTabOrder(self.remember_check, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.restore_button)
        session.load_header(self._on_header_loaded, self._on_header_failed)

    def _on_header_loaded(self, header) -> None:
        names = ", ".join(short_id(a) for a in header.addresses[:6])
        more = f" and {len(header.addresses) - 6} more" if len(header.addresses) > 6 else ""
        self.accounts_label.setText(f"This wallet holds {len(header.addresses)} account(s): {names}{more}.")
        if header.device_unlock is not None:
            self.remember_check.setChecked(True)
            self.busy.start("Trying the system keyring…")
            self.session.unlock_with_device(self._on_device_result)

    def _on_header_failed(self, exc: BaseException) -> None:
        self.accounts_label.setText("The wallet file cannot be read.")
        self.error.show_text(plain_error(exc))
        self.unlock_button.setEnabled(False)
        self.unlock_button.setToolTip("The wallet file is damaged; restore it from your recovery phrase")

    def _on_device_result(self, unlocked: bool) -> None:
        self.busy.stop()
        if unlocked:
            self.accept()

    def _on_unlock_clicked(self) -> None:
        password = self.password_edit.text()
        if not password:
            self.error.show_text("Enter the wallet password.")
            return
        self.error.show_text("")
        self._set_busy(True)
        self.session.unlock(password, remember=self.remember_check.isChecked() and self.remember_check.isEnabled(),
                            on_done=self._on_unlocked, on_error=self._on_unlock_failed)

    def _on_unlocked(self, remembered) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.accept()

    def _on_unlock_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.show_text("Wrong password. Try again." if isinstance(exc, WrongPassword) else plain_error(exc))
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Deriving the key from your password…")
        else:
            self.busy.stop()
        self.unlock_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)

    def _on_restore_clicked(self) -> None:
        from soma_desktop.ui.wallet.import_dialog import ImportDialog

        self.restore_dialog = ImportDialog(self.session, self.parentWidget(), create=True, replace=True)
        self.session.dialog = self.restore_dialog
        self.restore_dialog.open()
        self.reject()
