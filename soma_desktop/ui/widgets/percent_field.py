"""A commission typed in percent (0–100 %, two decimals) that yields the chain's integer basis points."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QWidget


class PercentField(QDoubleSpinBox):
    """`bps()` is the integer the chain stores (1 % = 100 bps); the user never sees "bps"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0.0, 100.0)
        self.setDecimals(2)
        self.setSingleStep(0.5)
        self.setSuffix(" %")
        self.setToolTip("The share of the rewards your model earns that goes to you before stakers are paid "
                        "(0–100 %, in steps of 0.01 %)")

    def bps(self) -> int:
        return int(round(self.value() * 100))

    def set_bps(self, bps: int) -> None:
        self.setValue(bps / 100)
