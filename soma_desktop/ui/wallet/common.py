"""Small pieces the wallet dialogs share: busy row, error label, password fields, plain-words errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

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


def settle_buttons(dialog: QWidget, default: QPushButton | None) -> None:
    """Enter presses `default` (the safe, expected action) and nothing else.

    Also names unlabelled controls for screen readers (every dialog passes through here).
    QDialog makes every QPushButton auto-default, so whichever button holds focus (e.g. after a field is
    disabled while busy) would take Enter; a destructive one must never be pressed that way.
    """
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)
    if default is not None:
        default.setDefault(True)
    from soma_desktop.ui.accessibility import name_unlabelled

    name_unlabelled(dialog)


def wallet_missing_text(session, action: str = "") -> str:
    """'Create or import a wallet first' when no wallet file exists, else 'Unlock the wallet first'."""
    has_vault = session is not None and session.has_vault()
    text = "Unlock the wallet" if has_vault else "Create or import a wallet"
    return f"{text} {action}".strip() if action else f"{text} first"


def wallet_button_text(session) -> str:
    return "Unlock wallet…" if session is not None and session.has_vault() else "Set up a wallet…"


def password_edit(hint: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(hint)
    edit.setObjectName(name)
    edit.setAccessibleName(hint)
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


def review_button_row(dialog, on_review) -> tuple[QHBoxLayout, QPushButton]:
    """Cancel + default 'Review' button row that ends a two-step (form → review) dialog's form page."""
    row = QHBoxLayout()
    row.addStretch(1)
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(dialog.reject)
    review = QPushButton("Review")
    review.setObjectName("reviewButton")
    review.setDefault(True)
    review.clicked.connect(on_review)
    row.addWidget(cancel)
    row.addWidget(review)
    return row, review


def review_page(title: str, summary_name: str, action_text: str, action_name: str, on_back, on_action
                ) -> tuple[QWidget, QLabel, QPushButton]:
    """The review page: a heading, the summary of what will happen, Back and the signing button."""
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addWidget(QLabel(f"<h3>{title}</h3>"))
    summary = QLabel()
    summary.setObjectName(summary_name)
    summary.setWordWrap(True)
    outer.addWidget(summary)
    outer.addStretch(1)
    buttons = QHBoxLayout()
    back = QPushButton("Back")
    back.clicked.connect(on_back)
    action = QPushButton(action_text)
    action.setObjectName(action_name)
    action.clicked.connect(on_action)
    buttons.addWidget(back)
    buttons.addStretch(1)
    buttons.addWidget(action)
    outer.addLayout(buttons)
    return page, summary, action
