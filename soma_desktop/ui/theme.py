"""Light/dark palette following the OS, plus the few colours the app uses semantically."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

SANDBOX_BADGE = "#b45309"      # amber: practice money
LIVE_BADGE = "#15803d"         # green: real network
OFFLINE = "#b91c1c"
MUTED = "#6b7280"
# Secondary text (hints, notes): Qt's own palette role for dimmed text, so it follows light and dark.
MUTED_TEXT_STYLE = "color: palette(placeholder-text);"


def is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, choice: str = "system") -> None:
    """Fusion everywhere for consistent metrics; the OS decides light or dark unless the user chose."""
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(choice, Qt.ColorScheme.Unknown)
    hints.setColorScheme(scheme)
    _apply_palette(app, choice == "dark" or (choice == "system" and is_dark()))


# Fusion outlines check boxes in the window colour made darker: invisible on a dark base. Draw them plainly.
DARK_QSS = (
    "QCheckBox::indicator, QAbstractItemView::indicator { width: 13px; height: 13px; border: 1px solid #9ca3af;"
    " border-radius: 2px; background: #1e1e22; }"
    "QCheckBox::indicator:checked, QAbstractItemView::indicator:checked { background: #3b82f6;"
    " border-color: #93c5fd; }"
    "QCheckBox::indicator:disabled { border-color: #4b5563; }"
)


def _apply_palette(app: QApplication, dark: bool) -> None:
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
    app.setStyleSheet(DARK_QSS if dark else "")


def follow_system_changes(app: QApplication, current_choice) -> None:
    """Re-apply the palette when the OS switches light/dark while the app runs."""
    def _on_scheme_changed(scheme: Qt.ColorScheme) -> None:
        if current_choice() == "system":
            _apply_palette(app, scheme == Qt.ColorScheme.Dark)

    QGuiApplication.styleHints().colorSchemeChanged.connect(_on_scheme_changed)


def _dark_palette() -> QPalette:
    pal = QPalette()
    base, window, text = QColor(30, 30, 34), QColor(40, 40, 46), QColor(230, 230, 235)
    for role, color in {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text, QPalette.ColorRole.Highlight: QColor(59, 130, 246),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255), QPalette.ColorRole.Link: QColor(96, 165, 250),
        QPalette.ColorRole.PlaceholderText: QColor(140, 140, 150),
    }.items():
        pal.setColor(role, color)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(120, 120, 128))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(120, 120, 128))
    return pal


def badge_style(color: str) -> str:
    return (f"QLabel {{ background: {color}; color: white; border-radius: 3px; padding: 1px 6px;"
            " font-weight: 600; }")
