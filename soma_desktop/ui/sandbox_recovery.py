"""A damaged sandbox chain file: say why and offer "Reset sandbox (keep a copy)" instead of retrying forever."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

RESET_TEXT = "Reset sandbox (keep a copy)"


def offer_sandbox_reset(parent: QWidget, exc: BaseException, reset_kept: Callable[[], None]) -> QMessageBox:
    """Non-blocking: the reset runs only if the user picks it; the damaged file is moved aside, never deleted."""
    box = QMessageBox(QMessageBox.Icon.Critical, "The sandbox is damaged", str(exc), parent=parent)
    box.setObjectName("sandboxDamaged")
    box.setInformativeText("Sandbox balances, stakes and models are practice data; your wallet keys and "
                           "real-network data are not touched. The cause is also in the log.")
    reset: QPushButton = box.addButton(RESET_TEXT, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)

    def _chosen(button: QAbstractButton) -> None:
        if button is reset:
            reset_kept()
    box.buttonClicked.connect(_chosen)
    box.open()
    return box
