"""One read model of the live chain, shared by every panel.

The cache polls the network once per tick (system state, then every watched key: models, the open
targets page, coins and stakes of the wallet's accounts), shares a read already in flight with every
caller that asks for the same key, and publishes a typed `Change` when a value differs from the last
one. A transaction invalidates exactly the keys it touched (`Touch`); only those are read again.

Everything async runs on the app's one network loop. Subscribers are plain callbacks called on that
loop; the UI turns them into queued Qt signals (ui/chain_signals.py). No Qt here.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from soma_desktop.network.base import Network
from soma_desktop.network.errors import NetworkUnavailable
from soma_desktop.network.types import Coin, ModelInfo, StakedSoma, SystemState, TargetPage, TargetStatus, Validator
from soma_desktop.services.network_facts import NetworkFacts

log = logging.getLogger(__name__)

TARGETS_PAGE_LIMIT = 100


class Kind(enum.StrEnum):
    STATE = "state"
    MODELS = "models"
    VALIDATORS = "validators"
    TARGETS = "targets"          # the first page of open targets
    COINS = "coins"
    STAKES = "stakes"


@dataclass(frozen=True)
class Key:
    kind: Kind
    address: str | None = None   # COINS and STAKES only


STATE = Key(Kind.STATE)
MODELS = Key(Kind.MODELS)
VALIDATORS = Key(Kind.VALIDATORS)
OPEN_TARGETS = Key(Kind.TARGETS)
EPOCH_KEYS = frozenset({VALIDATORS})   # change only at a boundary or by our own transactions (a Touch)


def coins_key(address: str) -> Key:
    return Key(Kind.COINS, address)


def stakes_key(address: str) -> Key:
    return Key(Kind.STAKES, address)


@dataclass(frozen=True)
class Touch:
    """What one transaction changed on chain: the keys to read again, nothing more."""

    keys: frozenset[Key] = frozenset()

    @classmethod
    def of(cls, *keys: Key) -> Touch:
        return cls(frozenset(keys))


@dataclass(frozen=True)
class Change:
    """A key's new value (or the error of its last read). `network` tells stale events apart."""

    key: Key
    value: Any = None
    error: BaseException | None = None
    generation: int = 0


Subscriber = Callable[[Change], None]


@dataclass
class _Flight:
    started: int                 # sequence number when the read began
    task: asyncio.Future[Any]


@dataclass
class _Entry:
    value: Any
    at: float                    # monotonic seconds of the read


@dataclass
class ChainCache:
    """The live chain as the app last saw it. `set_network` on every switch (None while offline)."""

    network: Network | None = None
    network_key: str = "unknown"
    clock: Callable[[], float] = time.monotonic
    _values: dict[Key, _Entry] = field(default_factory=dict)
    _watched: set[Key] = field(default_factory=set)
    _accounts: tuple[str, ...] = ()
    _flights: dict[Key, _Flight] = field(default_factory=dict)
    _stale_after: dict[Key, int] = field(default_factory=dict)
    _subscribers: list[Subscriber] = field(default_factory=list)
    _seq: int = 0
    generation: int = 0

    # ---- wiring ------------------------------------------------------------------------------
    def set_network(self, network: Network | None, network_key: str = "unknown") -> None:
        """A new chain: forget every value; reads still in flight for the old one are dropped."""
        self.network, self.network_key = network, network_key
        self.generation += 1
        self._values.clear()
        self._flights.clear()
        self._stale_after.clear()

    def require_network(self) -> Network:
        if self.network is None:
            raise NetworkUnavailable("Not connected to a network.")
        return self.network

    def facts(self) -> NetworkFacts | None:
        """The open network's name and abilities (None while offline); plain attribute reads, any thread."""
        network = self.network
        return NetworkFacts.of(network) if network is not None else None

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(change)` on the network loop for every change; returns the unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def watch(self, *keys: Key) -> None:
        """Keep these keys fresh on every tick."""
        self._watched.update(keys)

    def watch_accounts(self, addresses: Iterable[str]) -> None:
        """The wallet's accounts (their coins and stakes are polled); replaces the previous set."""
        addresses = tuple(addresses)
        for old in self._accounts:
            self._watched.discard(coins_key(old))
            self._watched.discard(stakes_key(old))
        self._accounts = addresses
        self.watch(*(coins_key(a) for a in addresses), *(stakes_key(a) for a in addresses))

    @property
    def watched(self) -> frozenset[Key]:
        return frozenset(self._watched)

    # ---- reading (from any thread: plain dict reads) -----------------------------------------
    def peek(self, key: Key) -> Any:
        entry = self._values.get(key)
        return entry.value if entry is not None else None

    def state(self) -> SystemState | None:
        value: SystemState | None = self.peek(STATE)
        return value

    def models(self) -> list[ModelInfo] | None:
        value: list[ModelInfo] | None = self.peek(MODELS)
        return value

    def coins(self, address: str) -> list[Coin] | None:
        value: list[Coin] | None = self.peek(coins_key(address))
        return value

    def stakes(self, address: str) -> list[StakedSoma] | None:
        value: list[StakedSoma] | None = self.peek(stakes_key(address))
        return value

    def validators(self) -> list[Validator] | None:
        value: list[Validator] | None = self.peek(VALIDATORS)
        return value

    def fresh_state(self, max_age_s: float, now_ms: int) -> SystemState | None:
        """The cached system state if it was read within `max_age_s` and no epoch boundary is due since."""
        entry = self._values.get(STATE)
        if entry is None or self.clock() - entry.at > max_age_s:
            return None
        state: SystemState = entry.value
        if state.timed_epochs and now_ms >= state.next_epoch_ms:
            return None
        return state

    # ---- reading (on the network loop) ---------------------------------------------------------
    async def get(self, key: Key) -> Any:
        """The cached value of a key the polls keep fresh, else one read (shared with a read in flight)."""
        entry = self._values.get(key)
        polled = key == STATE or key in self._watched
        if entry is not None and polled and self._stale_after.get(key, -1) < 0:
            return entry.value
        return await self.read(key)

    async def read(self, key: Key) -> Any:
        """A fresh read of `key`; joins a read in flight unless that one began before an invalidation."""
        flight = self._flights.get(key)
        if flight is not None and flight.started >= self._stale_after.get(key, -1) and not flight.task.done():
            return await asyncio.shield(flight.task)
        self._seq += 1
        task = asyncio.ensure_future(self._fetch(key, self.generation))
        self._flights[key] = _Flight(self._seq, task)
        return await asyncio.shield(task)

    async def tick(self) -> SystemState:
        """One poll: the system state (its error is the caller's), then every watched key (validators only
        when the epoch moved or they were never read)."""
        previous = self.state()
        state: SystemState = await self.read(STATE)
        same_epoch = previous is not None and previous.epoch == state.epoch
        await self.refresh(k for k in self._watched - {STATE}
                           if not (same_epoch and k in EPOCH_KEYS and k in self._values))
        return state

    async def refresh(self, keys: Iterable[Key]) -> None:
        """Read `keys` again now; each failure is published as that key's error, never raised."""
        await asyncio.gather(*(self.read(k) for k in keys), return_exceptions=True)

    async def apply(self, touch: Touch) -> None:
        """After a transaction: read again exactly the touched keys that someone uses."""
        self._seq += 1
        for key in touch.keys:
            self._stale_after[key] = self._seq
        await self.refresh(k for k in touch.keys if k in self._watched or k in self._values)

    def put_model(self, model: ModelInfo) -> None:
        """A model read elsewhere (the publish runner) replaces its row without another list_models."""
        models = self.models()
        if models is None:
            return
        rows = [model if m.id == model.id else m for m in models]
        if all(m.id != model.id for m in models):
            rows.append(model)
        self._store(MODELS, rows, self.generation)

    # ---- private -------------------------------------------------------------------------------
    async def _fetch(self, key: Key, generation: int) -> Any:
        network = self.require_network()
        try:
            value = await _READERS[key.kind](network, key)
        except Exception as exc:
            if self._is_current(key, generation):
                self._flights.pop(key, None)
                self._publish(Change(key, error=exc, generation=generation))
            raise
        if self._is_current(key, generation):   # not overtaken by a newer read or a network switch
            self._flights.pop(key, None)
            self._stale_after.pop(key, None)
            self._store(key, value, generation)
        return value

    def _is_current(self, key: Key, generation: int) -> bool:
        flight = self._flights.get(key)
        return generation == self.generation and flight is not None and flight.task is asyncio.current_task()

    def _store(self, key: Key, value: Any, generation: int) -> None:
        old = self._values.get(key)
        self._values[key] = _Entry(value, self.clock())
        if old is None or old.value != value:
            self._publish(Change(key, value, generation=generation))

    def _publish(self, change: Change) -> None:
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:  # one broken subscriber must not starve the others
                log.exception("chain cache subscriber failed for %s", change.key.kind.value)


async def _read_targets(network: Network, _key: Key) -> TargetPage:
    return await network.list_targets(status=TargetStatus.OPEN, limit=TARGETS_PAGE_LIMIT)


def _address(key: Key) -> str:
    assert key.address is not None
    return key.address


_READERS: dict[Kind, Callable[[Network, Key], Awaitable[Any]]] = {
    Kind.STATE: lambda n, _k: n.get_system_state(),
    Kind.MODELS: lambda n, _k: n.list_models(),
    Kind.VALIDATORS: lambda n, _k: n.get_validators(),
    Kind.TARGETS: _read_targets,
    Kind.COINS: lambda n, k: n.list_coins(_address(k)),
    Kind.STAKES: lambda n, k: n.list_staked_soma(_address(k)),
}
