"""Status bar: which network is live (SANDBOX badge), the epoch, a live countdown, connection state."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from soma_desktop.network.base import SystemState
from soma_desktop.ui import theme
from soma_desktop.ui.context import AppContext, Connection
from soma_desktop.ui.format import duration_text


class ChainStatusBar(QStatusBar):
    advance_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.network_badge = QLabel()
        self.network_badge.setObjectName("networkBadge")
        self.epoch_label = QLabel("Epoch —")
        self.epoch_label.setObjectName("epochLabel")
        self.countdown_label = QLabel("")
        self.countdown_label.setObjectName("countdownLabel")
        self.countdown_label.setToolTip("Time until the next epoch, from the chain's epoch start and duration")
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionLabel")
        self.advance_button = QToolButton()
        self.advance_button.setText("Advance epoch")
        self.advance_button.setToolTip("Sandbox only: end the current epoch now (deadlines, rewards, new targets)")
        self.advance_button.clicked.connect(self.advance_requested)
        self.advance_button.setVisible(False)
        for widget in (self.network_badge, self.epoch_label, self.countdown_label):
            self.addWidget(widget)
        self.addPermanentWidget(self.advance_button)
        self.addPermanentWidget(self.connection_label)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_countdown)
        self._tick.start()
        ctx.state_changed.connect(self._on_state)
        ctx.connection_changed.connect(self._on_connection)
        ctx.network_changed.connect(self._on_network)
        self._on_connection(ctx.connection, ctx.connection_detail)
        self._on_network(ctx.network)
        if ctx.state is not None:
            self._on_state(ctx.state)

    def _on_network(self, network) -> None:
        choice = self._ctx.choice
        label = network.name if network is not None else (choice.label if choice else "No network")
        sandbox = network.is_sandbox if network is not None else bool(choice and choice.is_sandbox)
        self.network_badge.setText("SANDBOX" if sandbox else label.upper())
        self.network_badge.setStyleSheet(theme.badge_style(theme.SANDBOX_BADGE if sandbox else theme.LIVE_BADGE))
        self.network_badge.setToolTip("Practice network on this computer — no real money" if sandbox
                                      else f"Live network: {label}")
        self.advance_button.setVisible(bool(network is not None and network.can_advance_epoch))
        if network is None:
            self.epoch_label.setText("Epoch —")
            self.countdown_label.setText("")

    def _on_state(self, state: SystemState) -> None:
        self.epoch_label.setText(f"Epoch {state.epoch}")
        self._update_countdown()

    def _update_countdown(self) -> None:
        state = self._ctx.state
        if state is None:
            return
        remaining = self._ctx.ms_to_next_epoch()
        if remaining is None:
            self.countdown_label.setText("epochs advance manually")
        elif remaining == 0:
            self.countdown_label.setText("next epoch due now")
        else:
            self.countdown_label.setText(f"next epoch in {duration_text(remaining)}")

    def _on_connection(self, status: str, detail: str) -> None:
        text, color = {
            Connection.ONLINE: ("● Connected", theme.LIVE_BADGE),
            Connection.CONNECTING: ("◌ Connecting…", theme.MUTED),
            Connection.OFFLINE: ("● Offline", theme.OFFLINE),
        }[status]
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(f"color: {color};")
        self.connection_label.setToolTip(detail or text)
