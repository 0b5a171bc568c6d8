"""A SOMA address input: accepts 0x + 64 hex (or without 0x), normalises, explains what is wrong."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from soma_desktop.core.ids import normalize_id

HEX_DIGITS = set("0123456789abcdefABCDEF")


def address_problem(text: str) -> str:
    """Plain-words reason why `text` is not a full address ('' when it is one)."""
    body = text.strip()
    body = body[2:] if body[:2].lower() == "0x" else body
    if not body:
        return "Enter the recipient's address"
    if not set(body) <= HEX_DIGITS:
        return "An address holds only 0-9 and a-f after 0x"
    if len(body) != 64:
        return f"An address has 64 hex digits after 0x; this one has {len(body)}"
    return ""


class AddressField(QWidget):
    """`value()` is the normalised '0x…' address, or None while the text is not a full address."""

    sig_address_changed = Signal(object)   # str | None

    def __init__(self, parent: QWidget | None = None, *, hint: str = "0x… (64 hex digits)"):
        super().__init__(parent)
        self._value: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setObjectName("addressEdit")
        self.edit.setPlaceholderText(hint)
        self.edit.setAccessibleName("Address")
        self.edit.setFont(_monospace(self.edit.font()))
        layout.addWidget(self.edit)
        self.error = QLabel()
        self.error.setObjectName("addressError")
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.edit.textChanged.connect(self._on_edit_text_changed)

    def value(self) -> str | None:
        return self._value

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def _on_edit_text_changed(self, text: str) -> None:
        problem = address_problem(text) if text.strip() else ""
        self._value = normalize_id(text) if text.strip() and not problem else None
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.sig_address_changed.emit(self._value)


def _monospace(font):
    from PySide6.QtGui import QFont

    mono = QFont(font)
    mono.setStyleHint(QFont.StyleHint.Monospace)
    mono.setFamily("monospace")
    return mono
