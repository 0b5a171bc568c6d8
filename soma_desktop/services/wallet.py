"""Wallet transactions with their persisted trace: record → send → record the outcome → refresh what moved.

The record is written before the transaction is sent, so a crash leaves a "pending" row rather than
nothing. History writes run on a worker thread (SQLite touches disk); everything else on the network loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from soma_desktop.network.base import Signer, SystemState
from soma_desktop.network.errors import NetworkError, StatusUnknown, TransactionFailed
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import Coin, TxResult
from soma_desktop.protocol.fees import FeeParams
from soma_desktop.services import chain_history
from soma_desktop.services.chain_cache import ChainCache, Touch, coins_key
from soma_desktop.services.network_facts import NetworkFacts
from soma_desktop.services.quotes import CoinsQuote
from soma_desktop.wallet.history import TxHistory, TxKind, TxRecord, TxStatus

NOT_SENT = "Not sent: "
HISTORY_LIMIT = 500

Send = Callable[[], Awaitable[TxResult]]


@dataclass(frozen=True)
class TxOutcome:
    """A landed transaction: its history row and the chain's receipt."""

    record: TxRecord
    result: TxResult


@dataclass
class WalletService:
    """Send, faucet, merge and the transaction history of the live network's accounts."""

    cache: ChainCache
    data_dir: Path
    _history: TxHistory | None = field(default=None, repr=False)
    _opening: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    recorded: list[Callable[[TxRecord], None]] = field(default_factory=list, repr=False)
    """Called (on the loop thread) whenever a history row is added or moves on, whichever panel sent it."""

    def _notify(self, record: TxRecord) -> None:
        for listener in list(self.recorded):
            listener(record)

    async def history_store(self) -> TxHistory:
        """Open the store on first use (a worker thread: it touches disk)."""
        async with self._opening:
            if self._history is None:
                self._history = await asyncio.to_thread(TxHistory.in_data_dir, self.data_dir)
            return self._history

    # ---- reads -------------------------------------------------------------------------------
    def facts(self) -> NetworkFacts | None:
        """The open network's name and abilities; None while offline."""
        return self.cache.facts()

    def coins(self, address: str) -> list[Coin] | None:
        """The cached coins of `address` (None: not read yet); polls and transactions keep them fresh."""
        return self.cache.coins(address)

    def balance(self, address: str) -> Balance | None:
        coins = self.cache.coins(address)
        return None if coins is None else Balance.of(coins)

    async def refresh_coins(self, addresses: Sequence[str]) -> None:
        """Read these accounts' coins now (shared with a poll in flight); the cache publishes what changed."""
        if self.cache.network is not None:
            await self.cache.refresh(coins_key(a) for a in addresses)

    async def chain_history(self, addresses: Sequence[str]) -> list[chain_history.Row]:
        """Every account's transactions as the chain recorded them, newest first (`Unsupported` where the
        network cannot list them)."""
        return await chain_history.read_rows(self.cache.require_network(), addresses)

    def quote(self, coins: Sequence[Coin], state: SystemState | None) -> CoinsQuote:
        """Fees, limits and coin checks for spending `coins` on the open network (offline: as the sandbox)."""
        facts = self.cache.facts()
        return CoinsQuote.of(coins, FeeParams.from_state(state), facts is None or facts.is_sandbox)

    # ---- transactions ----------------------------------------------------------------------
    async def send(self, signer: Signer, recipient: str, amount: int) -> TxRecord:
        network = self.cache.require_network()
        outcome = await self.submit(TxKind.TRANSFER, signer.address, amount, recipient,
                                    lambda: network.transfer_coin(signer, recipient, amount),
                                    Touch.of(coins_key(signer.address), coins_key(recipient)))
        return outcome.record

    async def merge(self, signer: Signer) -> TxRecord:
        network = self.cache.require_network()
        outcome = await self.submit(TxKind.MERGE, signer.address, 0, None, lambda: network.merge_coins(signer),
                                    Touch.of(coins_key(signer.address)))
        return outcome.record

    async def faucet(self, address: str) -> TxRecord:
        """The faucet does not say how much it pays: record the balance change once it has landed."""
        network = self.cache.require_network()
        store, key = await self.history_store(), self.cache.network_key
        before = await network.get_balance(address)
        try:
            result = await network.request_faucet(address)
        except TransactionFailed as exc:
            await asyncio.to_thread(store.add, key, address, TxKind.FAUCET, 0, status=TxStatus.FAILED,
                                    reason=describe_error(exc), digest=exc.digest)
            raise
        gained = max(await network.get_balance(address) - before, 0)
        record = await asyncio.to_thread(store.add, key, address, TxKind.FAUCET, gained,
                                         status=TxStatus.CONFIRMED, digest=result.digest, fee=0)  # the faucet pays
        await self.cache.apply(Touch.of(coins_key(address)))
        return record

    async def submit(self, kind: TxKind, account: str, amount: int, counterparty: str | None, send: Send,
                     touch: Touch) -> TxOutcome:
        """Record, send, record the outcome, then read again exactly what the transaction touched."""
        store, key = await self.history_store(), self.cache.network_key
        record = await asyncio.to_thread(store.add, key, account, kind, amount, counterparty=counterparty)
        self._notify(record)
        try:
            result = await send()
        except BaseException as exc:
            await record_failure(store, record.id, exc)
            self._notify(record)
            if isinstance(exc, TransactionFailed):   # a failed execution still paid a fee
                await self.cache.apply(touch)
            raise
        final = await asyncio.to_thread(store.update, record.id, status=TxStatus.CONFIRMED, digest=result.digest,
                                        fee=result.fee)
        self._notify(final)
        await self.cache.apply(touch)
        return TxOutcome(final, result)

    async def execute(self, send: Send, touch: Touch) -> TxResult:
        """A transaction the app's history does not list (model owner actions, claims): send, then read
        again what it touched."""
        try:
            result = await send()
        except TransactionFailed:   # executed and refused: the fee was still paid
            await self.cache.apply(touch)
            raise
        await self.cache.apply(touch)
        return result

    # ---- history -----------------------------------------------------------------------------
    async def history(self, account: str, limit: int = HISTORY_LIMIT) -> list[TxRecord]:
        store, key = await self.history_store(), self.cache.network_key
        await _resolve_unknown(store, self.cache.network, key, account)
        return await asyncio.to_thread(store.records, network=key, account=account, limit=limit)

    async def export_csv(self, path: str, account: str) -> int:
        store, key = await self.history_store(), self.cache.network_key
        return await asyncio.to_thread(store.export_csv, path, network=key, account=account)


async def record_failure(store: TxHistory, record_id: int, exc: BaseException) -> None:
    """Failed with the chain's reason; an unknown outcome stays pending with the explanation."""
    if isinstance(exc, TransactionFailed):
        await asyncio.to_thread(store.update, record_id, status=TxStatus.FAILED, reason=describe_error(exc),
                                digest=exc.digest, fee=exc.fee)
    elif isinstance(exc, StatusUnknown):
        await asyncio.to_thread(store.update, record_id, reason=describe_error(exc), digest=exc.digest)
    elif isinstance(exc, (NetworkError, asyncio.TimeoutError, OSError)):
        await asyncio.to_thread(store.update, record_id, status=TxStatus.FAILED, reason=NOT_SENT + describe_error(exc))
    else:  # a bug or a cancellation: nothing is known about the outcome, say so
        await asyncio.to_thread(store.update, record_id, reason="Interrupted before the outcome was known")


async def _resolve_unknown(store: TxHistory, network: object, network_key: str, account: str) -> None:
    """Unknown outcomes are settled from chain state when the history is read (network/sdk/outcomes.py)."""
    from soma_desktop.network.sdk.outcomes import resolve_history

    if network is None:
        return
    try:
        await resolve_history(store, network, network_key, account)
    except NetworkError:
        pass   # offline: the record keeps saying "Checking… do not resend"; the next read retries


@dataclass(frozen=True)
class Balance:
    """What the wallet shows of one account's coins (exact shannons; `None` coins = not read yet)."""

    total: int
    coin_count: int
    largest: int

    @classmethod
    def of(cls, coins: Sequence[Coin]) -> Balance:
        return cls(sum(c.balance for c in coins), len(coins), max((c.balance for c in coins), default=0))

    @property
    def can_merge(self) -> bool:
        return self.coin_count > 1
