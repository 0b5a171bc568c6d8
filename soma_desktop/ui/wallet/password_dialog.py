"""Change the wallet password (the data key is rewrapped; keys and phrase are unchanged)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from soma_desktop.ui.wallet.common import BusyRow, ErrorLabel, password_edit, plain_error, settle_buttons
from soma_desktop.wallet.vault import WrongPassword

if TYPE_CHECKING:
    from soma_desktop.ui.wallet_session import WalletSession


class ChangePasswordDialog(QDialog):
    def __init__(self, session: WalletSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Change wallet password")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.old_edit = password_edit("Current password", "oldPasswordEdit")
        self.new_edit = password_edit("New password (at least 8 characters)", "newPasswordEdit")
        self.confirm_edit = password_edit("Repeat the new password", "confirmPasswordEdit")
        form.addRow("Current", self.old_edit)
        form.addRow("New", self.new_edit)
        form.addRow("Repeat", self.confirm_edit)
        layout.addLayout(form)
        note = QLabel("Your recovery phrase and keys stay the same; only the password that unlocks them changes.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.ok_button = QPushButton("Change password")
        self.ok_button.setObjectName("changePasswordButton")
        self.ok_button.clicked.connect(self._on_ok_clicked)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        settle_buttons(self, self.ok_button)

    def _on_ok_clicked(self) -> None:
        new = self.new_edit.text()
        if len(new) < self.session.policy.min_password_chars:
            self.error.show_text(f"Use a password of at least {self.session.policy.min_password_chars} characters.")
            return
        if new != self.confirm_edit.text():
            self.error.show_text("The two new passwords differ.")
            return
        self.error.show_text("")
        self.busy.start("Re-encrypting with the new password…")
        self.ok_button.setEnabled(False)
        self.session.change_password(self.old_edit.text(), new, self._on_done, self._on_failed)

    def _on_done(self, _result) -> None:
        self.busy.stop()
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.busy.stop()
        self.ok_button.setEnabled(True)
        self.error.show_text("The current password is wrong." if isinstance(exc, WrongPassword) else plain_error(exc))
