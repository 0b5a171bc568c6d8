"""Wallet panel: on the sandbox, the funded demo account and its coins."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from soma_desktop.network.messages import describe_error
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.panels.common import Banner, PanelHeader


class WalletPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Wallet", "Balances are exact: 1 SOMA = 1,000,000,000 shannons."))
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.account = QLabel()
        self.account.setObjectName("demoAccount")
        layout.addWidget(self.account)
        self.coins = QListWidget()
        layout.addWidget(self.coins)
        ctx.epoch_changed.connect(self.refresh)
        ctx.network_changed.connect(lambda _n: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        network = self.ctx.network
        if network is None or not network.is_sandbox:
            self.account.setText("Add an account to see balances on this network.")
            return
        from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS

        self.account.setText(f"Sandbox demo account {SANDBOX_DEMO_ADDRESS}")
        self.ctx.bridge.call(network.list_coins(SANDBOX_DEMO_ADDRESS), on_result=self._show,
                             on_error=lambda e: self.banner.show_message(describe_error(e), "error"), owner=self)

    def _show(self, coins) -> None:
        self.coins.clear()
        total = sum(c.balance for c in coins)
        self.coins.addItem(f"Total: {amount_text(total)}")
        for coin in coins:
            self.coins.addItem(f"Coin {coin.id[:10]}…  {amount_text(coin.balance)}")
