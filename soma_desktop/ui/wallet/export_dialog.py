"""Export one account's key after the password is entered again: `somaprivkey1…` or into the SOMA CLI keystore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.ui.wallet.common import BusyRow, ErrorLabel, copy_secret, password_edit, plain_error, settle_buttons
from soma_desktop.wallet.cli_keystore import cli_config_dir

if TYPE_CHECKING:
    from soma_desktop.ui.wallet_session import WalletSession
    from soma_desktop.wallet.vault import Account


class ExportDialog(QDialog):
    def __init__(self, session: WalletSession, account: Account, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.address = account.address
        self.setWindowTitle(f"Export {account.name}")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        warn = QLabel("<b>Anyone who sees this key controls the account.</b> Export only to move it into "
                      "another wallet you trust. Enter your wallet password again to continue.")
        warn.setWordWrap(True)
        layout.addWidget(warn)
        form = QFormLayout()
        self.password_edit = password_edit("Wallet password", "passwordEdit")
        form.addRow("Password", self.password_edit)
        self.alias_edit = QLineEdit(_alias_for(account.name))
        self.alias_edit.setObjectName("aliasEdit")
        self.cli_dir_edit = QLineEdit(str(cli_config_dir()))
        self.cli_dir_edit.setObjectName("cliDirEdit")
        form.addRow("CLI alias", self.alias_edit)
        form.addRow("CLI folder", self.cli_dir_edit)
        layout.addLayout(form)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("exportedKey")
        self.key_edit.setReadOnly(True)
        self.key_edit.hide()
        layout.addWidget(self.key_edit)
        self.result_label = QLabel()
        self.result_label.setObjectName("exportResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        self.show_button = QPushButton("Show somaprivkey")
        self.show_button.setObjectName("showKeyButton")
        self.show_button.clicked.connect(self._on_show_clicked)
        self.copy_button = QPushButton("Copy (clears in 60 s)")
        self.copy_button.setEnabled(False)
        self.copy_button.setToolTip("Show the key first")
        self.copy_button.clicked.connect(lambda: copy_secret(self.key_edit.text(), self))
        self.cli_button = QPushButton("Add to SOMA CLI keystore")
        self.cli_button.setObjectName("cliExportButton")
        self.cli_button.setToolTip("Appends the key to soma.keystore and its alias to soma.aliases (atomic writes)")
        self.cli_button.clicked.connect(self._on_cli_clicked)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (self.show_button, self.copy_button, self.cli_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        settle_buttons(self, self.show_button)
        self.finished.connect(self._forget)

    def _on_show_clicked(self) -> None:
        self._start("Checking the password…")
        self.session.export_bech32(self.address, self.password_edit.text(), self._on_key_shown, self._on_failed)

    def _on_key_shown(self, text: str) -> None:
        self._stop()
        self.key_edit.setText(text)
        self.key_edit.show()
        self.copy_button.setEnabled(True)
        self.copy_button.setToolTip("")
        self.result_label.setText("This is the account's secret key. Close this window when done.")

    def _on_cli_clicked(self) -> None:
        self._start("Writing the CLI keystore…")
        self.session.export_to_cli(self.address, self.password_edit.text(), self.alias_edit.text().strip(),
                                   self.cli_dir_edit.text().strip() or None, self._on_cli_done, self._on_failed)

    def _on_cli_done(self, export) -> None:
        self._stop()
        if export.added:
            self.result_label.setText(f"Added to the SOMA CLI keystore as '{export.alias}'.")
        else:
            self.result_label.setText(f"The CLI keystore already holds this key as '{export.alias}'; nothing changed.")

    def _on_failed(self, exc: BaseException) -> None:
        self._stop()
        self.error.show_text(plain_error(exc))

    def _start(self, text: str) -> None:
        self.error.show_text("")
        self.busy.start(text)
        self.show_button.setEnabled(False)
        self.cli_button.setEnabled(False)

    def _stop(self) -> None:
        self.busy.stop()
        self.show_button.setEnabled(True)
        self.cli_button.setEnabled(True)

    def _forget(self, *_args) -> None:
        self.key_edit.clear()
        self.password_edit.clear()


def _alias_for(name: str) -> str:
    """A CLI-valid alias from an account name (letters first; letters, digits, - _ . after)."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in name.strip())
    cleaned = cleaned.strip("-") or "desktop"
    return cleaned if cleaned[0].isalpha() else "key-" + cleaned
