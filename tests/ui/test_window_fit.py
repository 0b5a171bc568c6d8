"""The main window fits a 1366×768 screen with every panel opened; banners never resize it; resize() works."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from soma_desktop.ui.main_window import PANELS, MainWindow

SCREEN = QRect(0, 0, 1366, 768)
LONG = "A long message that wraps over several lines. " * 12


def primary_controls(window: MainWindow, key: str) -> list[QWidget]:
    panel = window.panels[key]
    return {
        "wallet": lambda: [panel.create_button],
        "staking": lambda: [panel.unlock_button, panel.stake_button],
        "models": lambda: [panel.table, panel.search],
        "publish": lambda: [panel.unlock, panel.new],
        "evaluate": lambda: [panel.run_button, panel.table],
    }[key]()


def inside_screen(window: MainWindow, widget: QWidget) -> bool:
    """Laid out inside the 1366×768 window and not scrolled or clipped out of view."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    return SCREEN.contains(rect) and not widget.visibleRegion().isEmpty()


@pytest.fixture
def window(qtbot, ctx):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.setGeometry(SCREEN)
    return win


def test_every_panel_fits_1366x768(qtbot, window):
    for spec in PANELS:
        window.show_panel(spec.key)
        QApplication.processEvents()
        assert window.size().toTuple() == (1366, 768), spec.key
        assert window.minimumSizeHint().height() <= 768 and window.minimumSizeHint().width() <= 1366
        # the panel's own minimum fits the space it gets, so nothing scrolls at this size
        viewport = window.panel_scroll.viewport().size()
        minimum = window.panels[spec.key].minimumSizeHint()
        assert minimum.width() <= viewport.width() and minimum.height() <= viewport.height(), (spec.key, minimum)
        assert inside_screen(window, window.status), spec.key
        assert inside_screen(window, window.status.epoch_label) and inside_screen(window, window.status.advance_button)
        for control in primary_controls(window, spec.key):
            if control.isVisibleTo(window.panels[spec.key]):
                label = control.text() if hasattr(control, "text") else control
                assert inside_screen(window, control), (spec.key, label)


def test_banners_never_resize_the_window_and_resize_is_honoured(qtbot, window):
    for spec in PANELS:
        window.show_panel(spec.key)
    window.offline_banner.show_message(LONG, "error")
    for key, panel in window.panels.items():
        banner = getattr(panel, "banner", None)
        if banner is not None:
            banner.show_message(LONG, "error")
        window.show_panel(key)
        QApplication.processEvents()
        assert window.size().toTuple() == (1366, 768), key
        assert inside_screen(window, window.status), key
    window.resize(1024, 640)
    QApplication.processEvents()
    assert window.size().toTuple() == (1024, 640)
