"""Preferences dialog: the typed settings a user may change (never secrets)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.settings import MAX_EVAL_MEMORY_BUDGET, Settings
from soma_desktop.engine.budget import BUDGET_ENV, budget_problem, default_budget, format_bytes, physical_memory
from soma_desktop.guardian import autostart

GUARD_AT_LOGIN = "guard_at_login"   # settings.extra; the autostart file itself is written off the GUI thread
GIB = 2**30


class PreferencesDialog(QDialog):
    """Edits a copy; `apply_to(settings)` writes the values back. Sandbox changes apply on reconnect."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        layout = QVBoxLayout(self)

        general = QGroupBox("General")
        form = QFormLayout(general)
        self.theme = QComboBox()
        for key, label in (("system", "Follow system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        # int: at most 240 minutes
        self.auto_lock = QSpinBox(minimum=1, maximum=240, suffix=" min", value=settings.auto_lock_minutes)
        self.timeout = QDoubleSpinBox(minimum=1, maximum=300, suffix=" s", value=settings.network_timeout_s)
        form.addRow("Theme", self.theme)
        form.addRow("Lock wallet after idle", self.auto_lock)
        form.addRow("Network request timeout", self.timeout)
        self.guard_at_login = QCheckBox("Start the reveal guardian at login",
                                        checked=bool(settings.extra.get(GUARD_AT_LOGIN, False)))
        self.guard_at_login.setToolTip("Runs `soma-desktop guard` when you log in: it sends due reveals while the "
                                       "app is closed if the wallet unlocks on this device, else it notifies you.")
        self.guard_at_login.setEnabled(autostart.supported())
        form.addRow(self.guard_at_login)
        layout.addWidget(general)

        sandbox = QGroupBox("Sandbox network")
        form = QFormLayout(sandbox)
        self.timed = QCheckBox("Advance epochs with the clock", checked=settings.sandbox_timed_epochs)
        # int: at most one day in minutes
        self.epoch_minutes = QSpinBox(minimum=1, maximum=24 * 60, suffix=" min", value=settings.sandbox_epoch_minutes)
        self.epoch_minutes.setEnabled(self.timed.isChecked())
        self.timed.toggled.connect(self.epoch_minutes.setEnabled)
        self.dim = QComboBox()
        for dim, label in ((128, "128 — demo models (default)"), (16, "16 — small-model localnet"),
                           (2048, "2048 — full V1")):
            self.dim.addItem(label, dim)
        self.dim.setCurrentIndex(max(0, self.dim.findData(settings.sandbox_embedding_dim)))
        form.addRow(self.timed)
        form.addRow("Epoch length", self.epoch_minutes)
        form.addRow("Embedding dimension", self.dim)
        note = QLabel("Epoch length applies when the sandbox reopens; the embedding dimension applies after "
                      "<i>Sandbox → Reset sandbox</i>.")
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(sandbox)

        layout.addWidget(self._evaluation_box(settings))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _evaluation_box(self, settings: Settings) -> QGroupBox:
        box = QGroupBox("Evaluation")
        form = QFormLayout(box)
        self.ram = physical_memory()
        top = min(self.ram or MAX_EVAL_MEMORY_BUDGET, MAX_EVAL_MEMORY_BUDGET) / GIB
        # GiB as a float for display only: the setting itself is a whole number of bytes.
        self.memory_budget = QDoubleSpinBox(minimum=0.0, maximum=int(top * 4) / 4, decimals=2, singleStep=0.5,
                                            suffix=" GiB")
        self.memory_budget.setSpecialValueText(f"Automatic ({format_bytes(default_budget())})")
        self.memory_budget.setValue(settings.eval_memory_budget / GIB)
        self._budget_as_loaded = (self.memory_budget.value(), settings.eval_memory_budget)
        self.memory_budget.setAccessibleName("Evaluation memory budget")
        machine = f"This machine has {format_bytes(self.ram)} of memory" if self.ram else \
            "This machine does not report its memory"
        self.budget_hint = QLabel(f"{machine}; Automatic uses ${BUDGET_ENV} when set, else half of it. Models "
                                  "whose estimated need exceeds the budget are refused before loading, and the "
                                  "evaluation worker's OS memory limits come from it. Applies from the next run.")
        self.budget_hint.setWordWrap(True)
        self.budget_error = QLabel()
        self.budget_error.setWordWrap(True)
        self.budget_error.setStyleSheet("color: #b91c1c;")
        self.budget_error.hide()
        self.memory_budget.valueChanged.connect(lambda _v: self.budget_error.hide())
        form.addRow("Memory budget", self.memory_budget)
        form.addRow(self.budget_hint)
        form.addRow(self.budget_error)
        return box

    def memory_budget_bytes(self) -> int:
        """The budget field in bytes (0: Automatic); an untouched field keeps the exact bytes it was given."""
        shown, loaded = self._budget_as_loaded
        return loaded if self.memory_budget.value() == shown else round(self.memory_budget.value() * GIB)

    def accept(self) -> None:
        """OK keeps the dialog open while a value is unusable, with the reason beside the field."""
        problem = budget_problem(self.memory_budget_bytes(), self.ram)
        if problem:
            self.budget_error.setText(problem)
            self.budget_error.show()
            self.memory_budget.setFocus()
            return
        super().accept()

    def apply_to(self, settings: Settings) -> None:
        settings.theme = self.theme.currentData()
        settings.auto_lock_minutes = self.auto_lock.value()
        settings.network_timeout_s = self.timeout.value()
        settings.sandbox_timed_epochs = self.timed.isChecked()
        settings.sandbox_epoch_minutes = self.epoch_minutes.value()
        settings.sandbox_embedding_dim = self.dim.currentData()
        settings.extra[GUARD_AT_LOGIN] = self.guard_at_login.isChecked()
        settings.eval_memory_budget = self.memory_budget_bytes()
        settings.validated()
