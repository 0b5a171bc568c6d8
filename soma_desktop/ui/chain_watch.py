"""On connect to a real network: prove it is the chosen chain and warn when it was reset (testnet resets).

SdkNetwork.identity() returns (chain identifier, epoch) and refuses a node serving another chain; the last pair
seen per network is kept in settings (extra "chain_marks"), and an epoch going backwards on the same chain means
the chain was reset: every balance, stake, model and publish job of the old chain is gone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from soma_desktop.core.settings import Settings
from soma_desktop.network.messages import describe_error
from soma_desktop.services.chain_identity import ChainIdentity, IdentityCheck
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus

MARKS = "chain_marks"


class ChainIdentityWatch(QObject):
    def __init__(self, *, chain: ChainStatus, identity: ChainIdentity, settings: Settings,
                 save_settings: Callable[[], None], bridge: AsyncBridge, window: QWidget):
        super().__init__(window)
        self.chain, self.identity, self.window = chain, identity, window
        self.settings, self.save_settings, self.bridge = settings, save_settings, bridge
        self.last_warning = ""
        chain.network_changed.connect(self._on_network_changed)

    def _on_network_changed(self, network: object) -> None:
        choice = self.chain.choice
        if network is None or choice is None:
            return
        key = choice.key
        previous = self.settings.extra.get(MARKS, {}).get(key)
        self.bridge.call(self.identity.check(tuple(previous) if previous else None),
                             on_result=lambda check: self._on_identity(key, check),
                             on_error=self._on_identity_failed, owner=self.window, label="chain identity")

    def _on_identity(self, key: str, check: IdentityCheck | None) -> None:
        if check is None:      # the sandbox: nothing to prove
            return
        self.settings.extra.setdefault(MARKS, {})[key] = list(check.now)
        self.save_settings()
        if check.warning:
            self._show(check.warning)

    def _on_identity_failed(self, exc: BaseException) -> None:
        self._show(describe_error(exc))

    def _show(self, text: str) -> None:
        self.last_warning = text
        box = QMessageBox(QMessageBox.Icon.Warning, "Network", text, parent=self.window)
        box.setObjectName("chainIdentityWarning")
        box.open()
