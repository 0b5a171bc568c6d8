"""An empty table says what goes there and the next step, instead of showing a blank grid."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel
from shiboken6 import isValid


class EmptyState(QObject):
    """A centred hint over `view`'s viewport while its model has no rows."""

    def __init__(self, view: QAbstractItemView, text: str):
        super().__init__(view)
        self.view = view
        self.label = QLabel(text, view.viewport())
        self.label.setObjectName("emptyState")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: palette(placeholder-text); padding: 12px;")
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        self._watch(view.model())
        self.sync()

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def sync(self) -> None:
        if not (isValid(self) and isValid(self.view) and isValid(self.label)):
            return                      # a table's own model empties itself while the table is destroyed
        model = self.view.model()
        empty = model is None or model.rowCount() == 0
        self.label.setVisible(empty)
        if empty:
            self.label.setGeometry(self.view.viewport().rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Resize:
            self.label.setGeometry(self.view.viewport().rect())
        return False

    def _watch(self, model) -> None:
        if model is None:
            return
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
            signal.connect(self.sync)


def attach_empty_state(view: QAbstractItemView, text: str) -> EmptyState:
    state = EmptyState(view, text)
    view.empty_state = state          # kept with the view (tests read it)
    return state
