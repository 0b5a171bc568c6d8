"""Help → Keyboard shortcuts: every menu shortcut of the window (read from its actions) plus dialog keys."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

DIALOG_KEYS = (
    ("Enter", "Presses the dialog's highlighted button: Unlock, Review, Next. Never a signing or destructive "
              "button: those need a click, or Space once Tab has reached them."),
    ("Esc", "Closes the dialog without doing anything"),
    ("Tab / Shift+Tab", "Moves to the next / previous field"),
    ("Space", "Presses the focused button or ticks the focused box (also rows of the Evaluate model list)"),
    ("Ctrl+C", "Copies the selected text or table cells"),
)


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what) for every action of `window` that has a shortcut, in menu order, without duplicates."""
    seen: set[str] = set()
    out = []
    for action in window.findChildren(QAction):
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts() if not s.isEmpty()]
        if not keys:
            continue
        text = action.text().replace("&", "").rstrip("…")
        key = " or ".join(dict.fromkeys(keys))
        if (key, text) not in seen:
            seen.add((key, text))
            out.append((key, text))
    return out


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setMinimumSize(560, 480)
        layout = QVBoxLayout(self)
        rows = window_shortcuts(window) + list(DIALOG_KEYS)
        self.table = QTableWidget(len(rows), 2)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(("Keys", "What it does"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        self.table.resizeRowsToContents()
        layout.addWidget(QLabel("Menu shortcuts work everywhere in the main window."))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
