"""A review-then-sign dialog for one-step chain actions (withdraw a stake, merge coins)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from soma_desktop.ui.wallet.common import settle_buttons


class ConfirmDialog(QDialog):
    """Shows `summary_html` (what happens, what it costs); emits sig_confirmed when the user signs."""

    sig_confirmed = Signal()

    def __init__(self, title: str, summary_html: str, confirm_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h3>{title}</h3>"))
        self.summary = QLabel(summary_html)
        self.summary.setObjectName("confirmSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.confirm_button = QPushButton(confirm_text)
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        # Signing spends money: Enter cancels, the action needs a deliberate click (or Space on it).
        settle_buttons(self, cancel)
        cancel.setFocus()

    def _on_confirm_clicked(self) -> None:
        self.sig_confirmed.emit()
        self.accept()
