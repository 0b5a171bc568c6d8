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

from soma_desktop.core.settings import Settings
from soma_desktop.guardian import autostart

GUARD_AT_LOGIN = "guard_at_login"   # settings.extra; the autostart file itself is written off the GUI thread


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

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def apply_to(self, settings: Settings) -> None:
        settings.theme = self.theme.currentData()
        settings.auto_lock_minutes = self.auto_lock.value()
        settings.network_timeout_s = self.timeout.value()
        settings.sandbox_timed_epochs = self.timed.isChecked()
        settings.sandbox_epoch_minutes = self.epoch_minutes.value()
        settings.sandbox_embedding_dim = self.dim.currentData()
        settings.extra[GUARD_AT_LOGIN] = self.guard_at_login.isChecked()
        settings.validated()
