"""Shows the notices the core recorded before the window existed (core.notices), once each."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from soma_desktop.core import notices


def show_startup_notices(parent: QWidget) -> None:
    """After the event loop starts, one non-blocking message box per pending notice."""
    def _show() -> None:
        for text in notices.take():
            box = QMessageBox(QMessageBox.Icon.Warning, "SOMA Desktop", text, QMessageBox.StandardButton.Ok, parent)
            box.setObjectName("startupNotice")
            box.open()   # window-modal, does not block the loop
    QTimer.singleShot(0, parent, _show)


def show_fatal(text: str) -> None:
    """A blocking error dialog before any window exists (the app is about to exit)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["soma-desktop"])
    QMessageBox.critical(None, "SOMA Desktop cannot start", text)
    del app
