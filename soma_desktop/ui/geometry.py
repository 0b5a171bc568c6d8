"""Window geometry persisted in QSettings and clamped to the screens that exist now."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

KEY = "main_window/geometry"
DEFAULT_SIZE = (1200, 780)


def settings_store() -> QSettings:
    return QSettings("SOMA", "soma-desktop")


def clamp_to_screens(rect: QRect) -> QRect:
    """Keep a window at least partly on an available screen (monitors get unplugged)."""
    screens = [s.availableGeometry() for s in QGuiApplication.screens()]
    if not screens:
        return rect
    for area in screens:
        if area.intersects(rect) and area.intersected(rect).width() >= 100 and area.intersected(rect).height() >= 60:
            width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
            left = min(max(rect.left(), area.left()), area.right() - width + 1)
            top = min(max(rect.top(), area.top()), area.bottom() - height + 1)
            return QRect(left, top, width, height)
    area = QGuiApplication.primaryScreen().availableGeometry()
    width, height = min(rect.width(), area.width()), min(rect.height(), area.height())
    return QRect(area.center().x() - width // 2, area.center().y() - height // 2, width, height)


def restore(window: QWidget) -> None:
    saved = settings_store().value(KEY)
    if saved is None or not window.restoreGeometry(saved):
        window.resize(*DEFAULT_SIZE)
    window.setGeometry(clamp_to_screens(window.geometry()))


def save(window: QWidget) -> None:
    settings_store().setValue(KEY, window.saveGeometry())
