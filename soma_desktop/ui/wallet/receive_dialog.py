"""Receive SOMA: the account's full address, a Copy button and a QR code (segno, drawn by Qt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from soma_desktop.ui.wallet.common import settle_buttons

if TYPE_CHECKING:
    from soma_desktop.wallet.vault import Account

QR_BORDER = 4          # quiet-zone modules the QR standard asks for
QR_PIXELS = 240


def qr_image(text: str, pixels: int = QR_PIXELS) -> QImage:
    """A black-on-white QR code of `text`, about `pixels` wide (whole pixels per module, crisp)."""
    import segno

    code = segno.make(text, error="m", micro=False)
    matrix = code.matrix
    modules = len(matrix) + 2 * QR_BORDER
    scale = max(1, pixels // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect((x + QR_BORDER) * scale, (y + QR_BORDER) * scale, scale, scale, Qt.GlobalColor.black)
    painter.end()
    return image


class ReceiveDialog(QDialog):
    def __init__(self, account: Account, network_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.address = account.address
        self.setWindowTitle(f"Receive SOMA — {account.name}")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Give this address to whoever pays you. It receives SOMA on <b>{network_name}</b>; "
                       "funds sent on another network do not arrive here.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.qr = QLabel()
        self.qr.setObjectName("receiveQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setPixmap(QPixmap.fromImage(qr_image(self.address)))
        self.qr.setAccessibleName("QR code of the address")
        layout.addWidget(self.qr)
        self.address_label = QLabel(self.address)
        self.address_label.setObjectName("receiveAddress")
        self.address_label.setFont(QFont("monospace"))
        self.address_label.setWordWrap(True)
        self.address_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_label.setAccessibleName("Your address")
        layout.addWidget(self.address_label)
        self.copied = QLabel()
        self.copied.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.copied)
        row = QHBoxLayout()
        self.copy_button = QPushButton("Copy address")
        self.copy_button.setObjectName("receiveCopyButton")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        settle_buttons(self, self.copy_button)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.address)
        self.copied.setText("Copied. Check the first and last characters after pasting.")
