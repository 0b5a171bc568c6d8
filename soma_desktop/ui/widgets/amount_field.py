"""A SOMA amount input that yields exact integer shannons, with an optional Max button and inline error."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from soma_desktop.core.amounts import AmountError, format_soma, parse_soma


class AmountField(QWidget):
    """Type "1.5" or "20,000": `value()` is shannons or None while the text is not a valid amount."""

    sig_amount_changed = Signal(object)   # int shannons | None
    sig_max_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, with_max: bool = True, allow_zero: bool = False):
        super().__init__(parent)
        self._allow_zero = allow_zero
        self._value: int | None = None
        self._limit: int | None = None
        self._limit_why = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setObjectName("amountEdit")
        self.edit.setPlaceholderText("0.0")
        self.edit.setAccessibleName("Amount in SOMA")
        self.edit.setToolTip("Amount in SOMA, up to 9 decimals (1 shannon = 0.000000001 SOMA)")
        row.addWidget(self.edit, 1)
        row.addWidget(QLabel("SOMA"))
        self.max_button = QPushButton("Max")
        self.max_button.setObjectName("maxButton")
        self.max_button.setToolTip("Fill in the largest amount that leaves enough for the fees")
        self.max_button.setVisible(with_max)
        self.max_button.clicked.connect(self.sig_max_requested)
        row.addWidget(self.max_button)
        outer.addLayout(row)
        self.error = QLabel()
        self.error.setObjectName("amountError")
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        self.edit.textChanged.connect(self._on_edit_text_changed)

    # ---- Public API ---------------------------------------------------------------------------
    def value(self) -> int | None:
        return self._value

    def set_value(self, shannons: int) -> None:
        self.edit.setText(format_soma(shannons, unit=False, group=False))

    def set_limit(self, shannons: int | None, why: str = "") -> None:
        """The most this field may hold (e.g. what the coin can pay with fees); None = no limit.

        `why` finishes the over-limit message ("… is available for this" by default).
        """
        self._limit, self._limit_why = shannons, why
        self._on_edit_text_changed(self.edit.text())

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    # ---- Private ------------------------------------------------------------------------------
    def _on_edit_text_changed(self, text: str) -> None:
        value, problem = None, ""
        if text.strip():
            try:
                value = parse_soma(text)
            except AmountError as exc:
                problem = str(exc)
            else:
                if value == 0 and not self._allow_zero:
                    value, problem = None, "Enter an amount above zero"
                elif self._limit is not None and value > self._limit:
                    value, problem = None, (f"At most {format_soma(max(self._limit, 0))} "
                                            f"{self._limit_why or 'is available for this'}")
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if value != self._value:
            self._value = value
        self.sig_amount_changed.emit(value)
