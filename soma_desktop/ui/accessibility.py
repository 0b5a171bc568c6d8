"""Accessible names for every interactive control, and the list of them a test (or a screen reader) sees.

Qt names buttons by their text and form fields by their form label. Controls without either (a bare line
edit in a row, a table, an icon button) get a name from their hint text, tooltip or object name, so a
screen reader never announces just "edit" or "table".
"""

from __future__ import annotations

import re

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit,
               QSlider, QTextEdit)


def accessible_name(widget: QWidget) -> str:
    """The widget's accessible name, else what Qt's accessibility tree derives (button text, form label).

    On Linux Qt reports a combo box's current value as its Name and links the label by a relation, so the
    explicit property counts first.
    """
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def interactive_controls(root: QWidget) -> list[QWidget]:
    """Every control under `root` a user can operate (hidden ones too: they show up later)."""
    out = [w for w in root.findChildren(QWidget) if isinstance(w, INTERACTIVE) and not isinstance(w, QHeaderView)]
    # Qt's internal children (a spin box's line edit, a combo's popup view, scroll-area viewports) are parts of
    # a named control, not controls of their own.
    return [w for w in out if not w.objectName().startswith("qt_") and not _inside_composite(w)]


def name_unlabelled(root: QWidget) -> None:
    """Give each unnamed interactive control under `root` a name from its form label, hint text or tooltip."""
    for widget in interactive_controls(root):
        if widget.accessibleName() or (accessible_name(widget) and not _weakly_named(widget)):
            continue
        name = _form_label(widget) or _preceding_label(widget) or _hint_text(widget) \
            or widget.toolTip().split("\n")[0] or _humanize(widget.objectName())
        if name:
            widget.setAccessibleName(re.sub(r"<[^>]+>", "", name).strip())
        if widget.toolTip() and not widget.accessibleDescription():
            widget.setAccessibleDescription(re.sub(r"<[^>]+>", "", widget.toolTip()))


def _weakly_named(widget: QWidget) -> bool:
    """Qt names a combo box by its current value and a '+' button by '+': not what the control does."""
    if isinstance(widget, QComboBox):
        return True
    return isinstance(widget, QAbstractButton) and len(widget.text().strip()) <= 2 and bool(widget.toolTip())


def _inside_composite(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        parent = parent.parentWidget()
    return False


def _form_label(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None:
        for form in parent.findChildren(QFormLayout):
            label = form.labelForField(widget)
            if label is None and widget.parentWidget() is not None:
                label = form.labelForField(widget.parentWidget())
            if isinstance(label, QLabel) and label.text():
                return label.text().rstrip(":")
        parent = parent.parentWidget() if parent.parentWidget() is not widget.window() else None
    return ""


def _preceding_label(widget: QWidget) -> str:
    """The text of a QLabel placed just before `widget` in its row ("Colour bytes by: [combo]")."""
    parent = widget.parentWidget()
    if parent is None:
        return ""
    for layout in [parent.layout(), *parent.findChildren(QBoxLayout)]:
        if layout is None:
            continue
        index = layout.indexOf(widget)
        if index > 0:
            before = layout.itemAt(index - 1).widget()
            if isinstance(before, QLabel) and before.text():
                return before.text().rstrip(": ")
    return ""


def _hint_text(widget: QWidget) -> str:
    return widget.placeholderText() if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)) else ""


def _humanize(object_name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", object_name).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else ""
