"""Pieces every panel uses: a header with a title and help line, and a message banner."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from soma_desktop.ui.theme import MUTED_TEXT_STYLE


class PanelHeader(QWidget):
    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        self.title = QLabel(f"<h2 style='margin:0'>{title}</h2>")
        self.subtitle = QLabel(subtitle)
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet(MUTED_TEXT_STYLE)
        self.row = QHBoxLayout()
        self.row.addWidget(self.title)
        self.row.addStretch(1)
        layout.addLayout(self.row)
        if subtitle:
            layout.addWidget(self.subtitle)


class Banner(QLabel):
    """An inline message (info / warning / error) shown above a panel's content."""

    COLORS = {"info": "#1d4ed8", "warning": "#b45309", "error": "#b91c1c", "ok": "#15803d"}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        color = self.COLORS.get(kind, self.COLORS["info"])
        self.setStyleSheet(f"QLabel {{ border-left: 4px solid {color}; padding: 6px 8px; }}")
        self.setText(text)
        self.setProperty("kind", kind)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()
