"""Pieces every panel uses: a header with a title and help line, and a message banner."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from soma_desktop.core.explain import explain
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

    DETAILS_LINK = "#details"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.linkActivated.connect(self._on_link_activated)
        self.message = ""
        self.details = ""
        self.details_shown = False
        self.hide()

    def show_message(self, text: str, kind: str = "info", details: str = "") -> None:
        """Errors are put in plain words (what happened, what to do); the technical text sits behind Details."""
        if kind == "error" and not details:
            text, details = explain(text)
        color = self.COLORS.get(kind, self.COLORS["info"])
        self.setStyleSheet(f"QLabel {{ border-left: 4px solid {color}; padding: 6px 8px; }}")
        self.message, self.details, self.details_shown = text, details, False
        self.setProperty("kind", kind)
        self._render()
        self.show()

    def clear_message(self) -> None:
        self.message = self.details = ""
        self.setText("")
        self.setToolTip("")
        self.hide()

    def toggle_details(self) -> None:
        self.details_shown = not self.details_shown
        self._render()

    def _render(self) -> None:
        if not self.details:
            self.setText(self.message)
            self.setToolTip("")
            return
        shown = self.details_shown
        extra = f"<br><code>{html.escape(self.details)}</code>" if shown else ""
        self.setText(f"{self.message} <a href='{self.DETAILS_LINK}'>{'Hide details' if shown else 'Details'}</a>"
                     f"{extra}")
        self.setToolTip(self.details)

    def _on_link_activated(self, href: str) -> None:
        if href == self.DETAILS_LINK:
            self.toggle_details()
