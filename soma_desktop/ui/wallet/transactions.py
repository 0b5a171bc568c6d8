"""Submit a transaction and keep its trace in the persisted history (pending → confirmed / failed).

The record is written before the transaction is sent, so a crash leaves a "pending" row rather than
nothing. All of it (SQLite writes included) runs on the network loop; callbacks return on the GUI thread.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Awaitable, Callable

import shiboken6
from PySide6.QtCore import QObject, Signal

from soma_desktop.network.errors import NetworkError, StatusUnknown, TransactionFailed
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import TxResult
from soma_desktop.wallet.history import TxHistory, TxKind, TxRecord, TxStatus

NOT_SENT = "Not sent: "


class TxTracker(QObject):
    """One per app (held by the wallet session): the history store and the submit path for every panel."""

    sig_history_changed = Signal()
    """A record was added or moved on; views reload."""

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = weakref.ref(ctx)   # no cycle with the context (see WalletSession)
        self._history: TxHistory | None = None

    # ---- Public API ----------------------------------------------------------------------------
    @property
    def ctx(self):
        ctx = self._ctx()
        if ctx is None:
            raise RuntimeError("the app context is gone")
        return ctx

    def network_key(self) -> str:
        return self.ctx.choice.key if self.ctx.choice is not None else "unknown"

    async def history(self) -> TxHistory:
        """Open the store on first use (a worker thread: it touches disk)."""
        if self._history is None:
            self._history = await asyncio.to_thread(TxHistory.in_data_dir, self.ctx.data_dir)
        return self._history

    def load(self, account: str, on_done: Callable[[list[TxRecord]], None],
             on_error: Callable[[BaseException], None], owner: QObject | None = None) -> None:
        network = self.network_key()
        chain = self.ctx.network

        async def job() -> list[TxRecord]:
            store = await self.history()
            await _resolve_unknown(store, chain, network, account)
            return await asyncio.to_thread(store.list, network=network, account=account, limit=500)
        self.ctx.bridge.call(job(), on_result=on_done, on_error=on_error, owner=owner or self,
                             label="transaction history")

    def export_csv(self, path: str, account: str, on_done: Callable[[int], None],
                   on_error: Callable[[BaseException], None], owner: QObject | None = None) -> None:
        network = self.network_key()

        async def job() -> int:
            store = await self.history()
            return await asyncio.to_thread(store.export_csv, path, network=network, account=account)
        self.ctx.bridge.call(job(), on_result=on_done, on_error=on_error, owner=owner or self, label="CSV export")

    def submit(self, *, kind: TxKind, account: str, amount: int, counterparty: str | None,
               send: Callable[[], Awaitable[TxResult]], on_done: Callable[[TxRecord, TxResult], None],
               on_error: Callable[[BaseException], None], label: str, measure_from: str | None = None,
               owner: QObject | None = None) -> None:
        """Record, send, record the outcome. `measure_from`: take the amount from this address's balance
        change instead (the faucet does not say how much it pays)."""
        network_key = self.network_key()
        network = self.ctx.network

        async def job() -> tuple[TxRecord, TxResult]:
            store = await self.history()
            if measure_from:
                return await _faucet(store, network, network_key, account, measure_from, send)
            record = await asyncio.to_thread(store.add, network_key, account, kind, amount,
                                             counterparty=counterparty)
            try:
                result = await send()
            except BaseException as exc:
                await _record_failure(store, record.id, exc)
                raise
            final = await asyncio.to_thread(store.update, record.id, status=TxStatus.CONFIRMED, digest=result.digest,
                                            fee=result.fee)
            return final, result

        def done(out: tuple[TxRecord, TxResult]) -> None:
            self.sig_history_changed.emit()
            if owner is None or shiboken6.isValid(owner):
                on_done(*out)

        def failed(exc: BaseException) -> None:
            self.sig_history_changed.emit()
            if owner is None or shiboken6.isValid(owner):
                on_error(exc)

        # The tracker (not the panel) owns the call: the record is finished even if the panel is gone.
        self.ctx.bridge.call(job(), on_result=done, on_error=failed, tx=True, owner=self, label=label)


async def _record_failure(store: TxHistory, record_id: int, exc: BaseException) -> None:
    """Failed with the chain's reason; unknown outcome stays pending with the explanation."""
    if isinstance(exc, TransactionFailed):
        await asyncio.to_thread(store.update, record_id, status=TxStatus.FAILED, reason=describe_error(exc),
                                digest=exc.digest, fee=exc.fee)
    elif isinstance(exc, StatusUnknown):
        await asyncio.to_thread(store.update, record_id, reason=describe_error(exc), digest=exc.digest)
    elif isinstance(exc, (NetworkError, asyncio.TimeoutError, OSError)):
        await asyncio.to_thread(store.update, record_id, status=TxStatus.FAILED, reason=NOT_SENT + describe_error(exc))
    else:  # a bug or a cancellation: nothing is known about the outcome, say so
        await asyncio.to_thread(store.update, record_id, reason="Interrupted before the outcome was known")


async def _faucet(store: TxHistory, network: Any, network_key: str, account: str, address: str,
                  send: Callable[[], Awaitable[TxResult]]) -> tuple[TxRecord, TxResult]:
    """The faucet does not say how much it pays: record the balance change once it has landed."""
    before = await network.get_balance(address)
    try:
        result = await send()
    except TransactionFailed as exc:
        await asyncio.to_thread(store.add, network_key, account, TxKind.FAUCET, 0, status=TxStatus.FAILED,
                                reason=describe_error(exc), digest=exc.digest)
        raise
    gained = max(await network.get_balance(address) - before, 0)
    record = await asyncio.to_thread(store.add, network_key, account, TxKind.FAUCET, gained,
                                     status=TxStatus.CONFIRMED, digest=result.digest, fee=0)  # the faucet pays
    return record, result


async def _resolve_unknown(store: TxHistory, chain: Any, network_key: str, account: str) -> None:
    """Unknown outcomes are settled from chain state when the history is shown (network/sdk/outcomes.py)."""
    from soma_desktop.network.sdk.outcomes import resolve_history

    try:
        await resolve_history(store, chain, network_key, account)
    except NetworkError:
        pass   # offline: the record keeps saying "Checking… do not resend" and the next load retries
