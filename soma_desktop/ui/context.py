"""What every panel shares: the bridge, the live network, the settings and the chain clock."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from soma_desktop.core.settings import Settings
from soma_desktop.network.base import Network, SystemState
from soma_desktop.network.errors import NetworkError
from soma_desktop.network.factory import NetworkChoice, open_network, sandbox_db_path
from soma_desktop.network.messages import describe_error
from soma_desktop.network.sandbox.store import SandboxCorrupt, quarantine
from soma_desktop.services.chain_cache import Key
from soma_desktop.services.root import Services, build_services
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_signals import ChainSignals
from soma_desktop.ui.chain_status import ChainStatus, Connection
from soma_desktop.ui.settings_store import persist_settings
from soma_desktop.ui.wallet_session import WalletEnv, WalletSession

log = logging.getLogger(__name__)

POLL_MS = 5_000


def _log_failure(what: str, exc: BaseException) -> None:
    """The cause goes to the log ("Details are in the log" must be true); never a secret in these errors."""
    if isinstance(exc, NetworkError):
        log.warning("%s failed: %s: %s", what, type(exc).__name__, exc)
    else:
        log.warning("%s failed: %s: %s", what, type(exc).__name__, exc, exc_info=exc)


class AppContext(QObject):
    """Polls chain state off the GUI thread and tells panels when anything changes."""

    network_changed = Signal(object)          # Network | None
    state_changed = Signal(object)            # SystemState
    connection_changed = Signal(str, str)     # Connection.*, detail text
    epoch_changed = Signal(object)           # epoch: a u64 on chain
    sandbox_damaged = Signal(object)          # SandboxCorrupt: retrying stopped, offer a reset that keeps a copy

    def __init__(self, data_dir: Path, settings: Settings, bridge: AsyncBridge, parent: QObject | None = None,
                 *, services: Services | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.settings = settings
        self.bridge = bridge
        self.services = services or build_services(data_dir)
        self.cache = self.services.cache
        self.chain = ChainSignals(self.cache, self)
        self.network: Network | None = None
        self.choice: NetworkChoice | None = None
        self.state: SystemState | None = None
        self.connection = Connection.CONNECTING
        self.connection_detail = ""
        self._state_received_at = 0.0
        self._poll_in_flight = False
        self.halted = False                   # the sandbox file is damaged: no retry until the user resets
        self.damage: SandboxCorrupt | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._wallet: WalletSession | None = None
        self.wallet = WalletSession(self.wallet_env(), self)

    def wallet_env(self) -> WalletEnv:
        """What a WalletSession needs from the app (a second session in tests gets the same)."""
        return WalletEnv(self.data_dir, self.settings, self.bridge, self.services.wallet)

    # --- network lifecycle ------------------------------------------------------------------
    def connect_to(self, choice: NetworkChoice, *, reset_sandbox: bool = False, set_aside: bool = False) -> None:
        """Open `choice` in the background; the old network is closed first.

        `reset_sandbox`: wipe the sandbox chain and re-run genesis with the current settings (so a new
        embedding dimension takes effect). Callers ask the user first.
        `set_aside`: move a damaged sandbox chain file aside (kept as chain.db.corrupt-<time>) first.
        """
        self.halted = False
        old, self.network, self.state = self.network, None, None
        self.choice = choice
        self._set_connection(Connection.CONNECTING, f"Opening {choice.label}…")
        self.network_changed.emit(None)

        async def _switch() -> Network:
            self.cache.set_network(None)
            if old is not None:
                await old.close()
            if set_aside and choice.is_sandbox:
                kept = await asyncio.to_thread(quarantine, sandbox_db_path(self.data_dir))
                log.warning("damaged sandbox chain kept as %s; starting a fresh sandbox", kept)
            network = await open_network(choice, self.data_dir, self.settings)
            if reset_sandbox and network.is_sandbox:
                await network.reset()
            self.cache.set_network(network, choice.key)
            return network

        self.bridge.call(_switch(), on_result=lambda net, c=choice: self._opened(c, net),
                         on_error=self._open_failed, timeout=60.0, owner=self, label=f"opening {choice.label}")

    def _opened(self, choice: NetworkChoice, network: Network) -> None:
        if choice is not self.choice:   # the user switched again meanwhile
            self.bridge.call(network.close(), owner=self)
            return
        self.network = network
        if self.cache.network is not network:   # opened elsewhere (tests): bind it on the loop, before the poll
            self.bridge.loop.call_soon_threadsafe(self.cache.set_network, network, choice.key)
        self.settings.network = choice.key
        self.save_settings()
        self.network_changed.emit(network)
        self._timer.start()
        self.refresh()

    def _open_failed(self, exc: BaseException) -> None:
        _log_failure(f"opening {self.choice.label if self.choice else 'the network'}", exc)
        if isinstance(exc, SandboxCorrupt):
            self._halt(exc)
            return
        self._set_connection(Connection.OFFLINE, describe_error(exc))
        self._timer.start()

    def _halt(self, exc: SandboxCorrupt) -> None:
        """Reopening a damaged file fails the same way forever: stop retrying and ask the user."""
        self.halted, self.damage = True, exc
        self._timer.stop()
        self._set_connection(Connection.OFFLINE, describe_error(exc))
        self.sandbox_damaged.emit(exc)

    def refresh(self) -> None:
        """Fetch system state unless a poll is already running (never stack up requests)."""
        if self.network is None:
            if self.choice is not None and self.connection == Connection.OFFLINE:
                self._timer.stop()
                self.connect_to(self.choice)
            return
        if self._poll_in_flight:
            return
        self._poll_in_flight = True
        self.bridge.call(self.cache.tick(), on_result=self._state_ok, on_error=self._state_err,
                         owner=self, label="chain status")

    # --- chain cache ------------------------------------------------------------------------
    def watch(self, *keys: Key) -> None:
        """Keep `keys` fresh on every poll (mutated on the loop thread, where the cache iterates them)."""
        if not self.bridge.loop.is_closed():
            self.bridge.loop.call_soon_threadsafe(self.cache.watch, *keys)

    def watch_accounts(self, addresses: Iterable[str]) -> None:
        if not self.bridge.loop.is_closed():   # a wallet locked after shutdown
            self.bridge.loop.call_soon_threadsafe(self.cache.watch_accounts, tuple(addresses))

    def _watch_wallet_accounts(self, *_args: object) -> None:
        if self._wallet is not None:
            self.watch_accounts(a.address for a in self._wallet.accounts())

    @property
    def wallet(self) -> WalletSession:
        assert self._wallet is not None
        return self._wallet

    @wallet.setter
    def wallet(self, session: WalletSession) -> None:
        """The shared wallet session; its accounts' coins and stakes are what the cache polls."""
        old, self._wallet = self._wallet, session
        if old is not None:
            old.sig_unlocked.disconnect(self._watch_wallet_accounts)
            old.sig_locked.disconnect(self._watch_wallet_accounts)
            if isinstance(old, WalletSession):
                old.sig_accounts_changed.disconnect(self._watch_wallet_accounts)
        session.sig_unlocked.connect(self._watch_wallet_accounts)
        session.sig_locked.connect(self._watch_wallet_accounts)
        if isinstance(session, WalletSession):
            session.sig_accounts_changed.connect(self._watch_wallet_accounts)
        self._watch_wallet_accounts()

    def _state_ok(self, state: SystemState) -> None:
        self._poll_in_flight = False
        previous, self.state = self.state, state
        self._state_received_at = time.monotonic()
        self._set_connection(Connection.ONLINE, "")
        self.state_changed.emit(state)
        if previous is None or previous.epoch != state.epoch:
            self.epoch_changed.emit(state.epoch)

    def _state_err(self, exc: BaseException) -> None:
        self._poll_in_flight = False
        if describe_error(exc) != self.connection_detail:   # once per distinct failure, not every poll
            _log_failure("reading chain status", exc)
        if isinstance(exc, sqlite3.DatabaseError) and self.network is not None and self.network.is_sandbox:
            network, self.network = self.network, None
            self.bridge.call(network.close(), owner=self, label="closing the damaged sandbox")
            self.network_changed.emit(None)
            self._halt(SandboxCorrupt(sandbox_db_path(self.data_dir), str(exc)))
            return
        self._set_connection(Connection.OFFLINE, describe_error(exc))

    def _set_connection(self, status: str, detail: str) -> None:
        if (status, detail) != (self.connection, self.connection_detail):
            self.connection, self.connection_detail = status, detail
            self.connection_changed.emit(status, detail)

    @property
    def is_open(self) -> bool:
        return self.network is not None

    @property
    def is_sandbox(self) -> bool:
        return self.network is not None and self.network.is_sandbox

    # --- chain clock ------------------------------------------------------------------------
    def chain_now_ms(self) -> int:
        """Wall-clock now; epochs are judged from chain timestamps, the countdown from this clock."""
        return int(time.time() * 1000)

    def ms_to_next_epoch(self) -> int | None:
        if self.state is None or not self.state.timed_epochs:
            return None
        return max(0, self.state.next_epoch_ms - self.chain_now_ms())

    def save_settings(self) -> None:
        persist_settings(self.bridge, self.data_dir, self.settings)

    def shutdown(self) -> None:
        self._timer.stop()
        self.wallet.lock()
        network, self.network = self.network, None
        if network is not None:
            try:
                self.bridge.run_blocking(network.close(), timeout=5.0)
            except Exception as exc:  # noqa: BLE001 - closing must never block exit
                log.warning("network close failed: %s", type(exc).__name__)
        self.chain.close()
        self.bridge.shutdown()


def _provides(status: AppContext) -> ChainStatus:
    return status   # never called: mypy proves AppContext gives panels everything ChainStatus promises
