"""Small pieces the wallet dialogs share: busy row, error label, password fields, plain-words errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QWidget

from soma_desktop.core.amounts import format_soma
from soma_desktop.network.messages import describe_error
from soma_desktop.ui.format import amount_text

CLIPBOARD_CLEAR_MS = 60_000
ERROR_STYLE = "color: #b91c1c;"


def plain_error(exc: BaseException) -> str:
    """Wallet-core errors carry messages meant for people; everything else goes through describe_error."""
    from soma_desktop.wallet.cli_keystore import CliKeystoreError
    from soma_desktop.wallet.keys import KeyFormatError, KeyWiped
    from soma_desktop.wallet.mnemonic import MnemonicError
    from soma_desktop.wallet.vault import VaultError

    if isinstance(exc, (VaultError, MnemonicError, KeyFormatError, KeyWiped, CliKeystoreError)):
        return str(exc).rstrip(".") + "."
    if isinstance(exc, PermissionError):
        return "The app may not write there (permission denied)."
    if isinstance(exc, OSError):
        return f"Could not read or write the file ({exc.strerror or type(exc).__name__})."
    return describe_error(exc)


class ErrorLabel(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class BusyRow(QWidget):
    """An indeterminate progress bar with a staged status text ("Deriving the key…")."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(120)
        self.label = QLabel()
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()


def password_edit(placeholder: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setObjectName(name)
    edit.setAccessibleName(placeholder)
    return edit


def exact_amount_html(shannons: int, hidden: bool = False) -> str:
    """'1.5 SOMA (1,500,000,000 shannons)' for confirmation summaries."""
    if hidden:
        return amount_text(shannons, hidden=True)
    return f"<b>{format_soma(shannons)}</b> <span style='color:#6b7280'>({shannons:,} shannons)</span>"


def copy_secret(text: str, parent: QWidget) -> None:
    """Copy, then clear the clipboard after 60 s if it still holds the secret (security.md §2.5)."""
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(text)

    def clear() -> None:
        if clipboard.text() == text:
            clipboard.clear()
    QTimer.singleShot(CLIPBOARD_CLEAR_MS, parent, clear)
