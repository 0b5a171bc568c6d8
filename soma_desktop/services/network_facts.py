"""What the UI may know of the open network: plain facts, never the network object itself."""

from __future__ import annotations

from dataclasses import dataclass

from soma_desktop.network.base import Network


@dataclass(frozen=True)
class NetworkFacts:
    name: str                  # "Sandbox", "Testnet", …
    is_sandbox: bool
    has_faucet: bool
    can_advance_epoch: bool
    lists_history: bool        # the network can list an account's transactions (AccountHistorySource)

    @classmethod
    def of(cls, network: Network) -> NetworkFacts:
        return cls(network.name, network.is_sandbox, network.has_faucet, network.can_advance_epoch,
                   callable(getattr(network, "list_account_transactions", None)))
