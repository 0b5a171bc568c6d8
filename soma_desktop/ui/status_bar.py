"""Status bar: which network is live (SANDBOX badge), the epoch, a live countdown, connection state."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from soma_desktop.network.base import Network, SystemState
from soma_desktop.services.network_facts import NetworkFacts
from soma_desktop.ui import theme
from soma_desktop.ui.chain_status import ChainStatus, Connection
from soma_desktop.ui.format import duration_text


class ConnectionStatus(ChainStatus, Protocol):
    """ChainStatus plus the connection state the status bar shows (AppContext provides both)."""

    @property
    def connection_changed(self) -> SignalInstance:
        """(status: Connection.*, detail text)."""

    @property
    def connection(self) -> str: ...

    @property
    def connection_detail(self) -> str: ...


class ChainStatusBar(QStatusBar):
    advance_requested = Signal()

    def __init__(self, chain: ConnectionStatus, facts: NetworkFacts | None = None, parent: QWidget | None = None):
        """`facts`: the network already open when the bar is built (None: none yet)."""
        super().__init__(parent)
        self._chain = chain
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
        chain.state_changed.connect(self._on_state)
        chain.connection_changed.connect(self._on_connection)
        chain.network_changed.connect(self._on_network_changed)
        self._on_connection(chain.connection, chain.connection_detail)
        self.show_network(facts)
        if chain.state is not None:
            self._on_state(chain.state)

    def _on_network_changed(self, network: Network | None) -> None:
        self.show_network(NetworkFacts.of(network) if network is not None else None)

    def show_network(self, facts: NetworkFacts | None) -> None:
        """The badge: the open network, else the one being opened; Advance epoch where the network can."""
        choice = self._chain.choice
        label = facts.name if facts is not None else (choice.label if choice else "No network")
        sandbox = facts.is_sandbox if facts is not None else bool(choice and choice.is_sandbox)
        self.network_badge.setText("SANDBOX" if sandbox else label.upper())
        self.network_badge.setStyleSheet(theme.badge_style(theme.SANDBOX_BADGE if sandbox else theme.LIVE_BADGE))
        self.network_badge.setToolTip("Practice network on this computer — no real money" if sandbox
                                      else f"Live network: {label}")
        self.advance_button.setVisible(facts is not None and facts.can_advance_epoch)
        if facts is None:
            self.epoch_label.setText("Epoch —")
            self.countdown_label.setText("")

    def _on_state(self, state: SystemState) -> None:
        self.epoch_label.setText(f"Epoch {state.epoch}")
        self._update_countdown()

    def _update_countdown(self) -> None:
        state = self._chain.state
        if state is None:
            return
        remaining = self._chain.ms_to_next_epoch()
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
