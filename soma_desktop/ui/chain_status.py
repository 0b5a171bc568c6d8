"""What a panel may read of the connection and the chain clock: a narrow, typed view of AppContext.

Panels take a `ChainStatus`, never the AppContext itself: no network object (reads and transactions go
through `services/`), no settings writes, no window. mypy checks that AppContext provides all of it.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance

from soma_desktop.network.base import SystemState
from soma_desktop.network.factory import NetworkChoice
from soma_desktop.services.chain_cache import Key


class Connection:
    """The states of `AppContext.connection` (and of its `connection_changed` signal)."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"


class ChainStatus(Protocol):
    @property
    def network_changed(self) -> SignalInstance:
        """(Network | None): a network was opened or closed; panels reset what they showed."""

    @property
    def state_changed(self) -> SignalInstance:
        """(SystemState): a fresh poll of the chain's system state."""

    @property
    def epoch_changed(self) -> SignalInstance:
        """(int epoch, as object): the chain entered a new epoch."""

    @property
    def state(self) -> SystemState | None:
        """The last polled system state; None before the first poll or while offline after a switch."""

    @property
    def choice(self) -> NetworkChoice | None:
        """The network the user chose (sandbox, testnet, …), open or still opening."""

    @property
    def is_open(self) -> bool:
        """A network is open (reads and transactions can be sent)."""

    @property
    def is_sandbox(self) -> bool:
        """The open network is the embedded sandbox (advancing epochs, faucet without limits)."""

    def ms_to_next_epoch(self) -> int | None: ...

    def chain_now_ms(self) -> int: ...

    def watch(self, *keys: Key) -> None:
        """Keep `keys` fresh in the chain cache on every poll."""

    def refresh(self) -> None:
        """Poll now (after a transaction or on the user's request)."""

