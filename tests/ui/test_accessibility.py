"""Keyboard and screen readers: every interactive control of every panel and wallet dialog has an accessible
name in Qt's accessibility tree; Tab moves through each dialog's fields in reading order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from soma_desktop.ui.accessibility import accessible_name, interactive_controls
from soma_desktop.ui.main_window import PANELS, MainWindow


def unnamed(root: QWidget) -> list[str]:
    return [f"{type(w).__name__}#{w.objectName()}" for w in interactive_controls(root) if not accessible_name(w)]


def test_every_control_of_every_panel_is_named(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    for spec in PANELS:
        window.show_panel(spec.key)
    QApplication.processEvents()
    assert unnamed(window) == []
    assert len(interactive_controls(window)) > 60          # the walk really covers the panels



def test_panel_and_preferences_shortcuts_and_the_shortcuts_page(qtbot, ctx):
    from soma_desktop.ui.preferences import PreferencesDialog
    from soma_desktop.ui.shortcuts_dialog import ShortcutsDialog

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    for i, spec in enumerate(PANELS, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{i}"), Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentWidget() is window.panels[spec.key], spec.key
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(isinstance(w, PreferencesDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5_000)
    prefs = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PreferencesDialog))
    prefs.reject()
    page = window.show_shortcuts()
    assert isinstance(page, ShortcutsDialog)
    rows = {page.table.item(r, 1).text(): page.table.item(r, 0).text() for r in range(page.table.rowCount())}
    assert rows["Wallet"] == "Ctrl+1" and rows["Evaluate"] == "Ctrl+5"
    assert rows["Preferences"].startswith("Ctrl+,") and rows["Advance epoch"] == "Ctrl+E"
    assert any(keys == "Enter" for keys in rows.values())
    page.reject()
