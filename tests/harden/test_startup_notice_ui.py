"""The main window shows a notice recorded before it existed (a reset settings file), once."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from soma_desktop.core import notices
from soma_desktop.core.settings import load_settings
from soma_desktop.ui.startup_notices import show_startup_notices


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "startupNotice" and w.isVisible()]


def test_bad_settings_notice_is_shown_once(qtbot, tmp_path):
    notices.take()
    (tmp_path / "settings.json").write_text('{"version": "abc"}')
    load_settings(tmp_path)
    pending = notices.take()
    assert len(pending) == 1, pending
    for text in pending:
        notices.add(text)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    show_startup_notices(window)
    qtbot.waitUntil(lambda: len(_boxes()) == 1)
    box = _boxes()[0]
    assert "settings file could not be used" in box.text() and "settings.json.bad-" in box.text()
    box.accept()
    show_startup_notices(window)     # already taken: nothing more
    qtbot.wait(10)
    assert _boxes() == []
