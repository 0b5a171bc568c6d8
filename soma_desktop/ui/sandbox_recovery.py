"""A damaged sandbox chain file: say why and offer "Reset sandbox (keep a copy)" instead of retrying forever."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

RESET_TEXT = "Reset sandbox (keep a copy)"


def offer_sandbox_reset(parent: QWidget, ctx, exc: BaseException) -> QMessageBox:
    """Non-blocking: the reset runs only if the user picks it; the damaged file is moved aside, never deleted."""
    box = QMessageBox(QMessageBox.Icon.Critical, "The sandbox is damaged", str(exc), parent=parent)
    box.setObjectName("sandboxDamaged")
    box.setInformativeText("Sandbox balances, stakes and models are practice data; your wallet keys and "
                           "real-network data are not touched. The cause is also in the log.")
    reset: QPushButton = box.addButton(RESET_TEXT, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)

    def _chosen(button) -> None:
        if button is reset and ctx.choice is not None and ctx.choice.is_sandbox:
            ctx.connect_to(ctx.choice, set_aside=True)
    box.buttonClicked.connect(_chosen)
    box.open()
    return box
