"""One asyncio loop thread for all network work, bridged to Qt.

The GUI submits coroutines with `call()`; the result or the error comes back through a queued Qt
signal, so callbacks always run on the GUI thread. Every call has a timeout: a read that times out
is `NetworkUnavailable`; a transaction that times out is `StatusUnknown` (it may have landed).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from soma_desktop.network.errors import NetworkError, NetworkUnavailable, StatusUnknown

log = logging.getLogger(__name__)

OnResult = Callable[[Any], None]
OnError = Callable[[BaseException], None]


@dataclass
class _Pending:
    future: concurrent.futures.Future
    on_result: OnResult | None
    on_error: OnError | None
    owner: QObject | None
    label: str


class CallHandle:
    """Lets a caller cancel a call it no longer needs (the callbacks then never run)."""

    def __init__(self, pending: _Pending):
        self._pending = pending

    def cancel(self) -> None:
        self._pending.on_result = self._pending.on_error = None
        self._pending.future.cancel()

    def done(self) -> bool:
        return self._pending.future.done()


class AsyncBridge(QObject):
    """Owns the asyncio loop thread. Create on the GUI thread; `shutdown()` before exit."""

    _finished = Signal(object)
    busy_changed = Signal(object)   # calls in flight, for a status indicator

    def __init__(self, default_timeout: float = 20.0, tx_timeout: float = 60.0, parent: QObject | None = None):
        super().__init__(parent)
        self.default_timeout = default_timeout
        self.tx_timeout = tx_timeout
        self._loop = asyncio.new_event_loop()
        self._in_flight = 0
        self._thread = threading.Thread(target=self._run_loop, name="soma-network", daemon=True)
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def call(self, coro: Awaitable[Any], *, on_result: OnResult | None = None, on_error: OnError | None = None,
             timeout: float | None = None, tx: bool = False, owner: QObject | None = None,
             label: str = "") -> CallHandle:
        """Run `coro` on the loop thread; deliver its outcome to the callbacks on the GUI thread.

        `owner`: when that widget is deleted before the answer arrives, the callbacks are skipped.
        `tx=True`: a timeout means the outcome is unknown, not that nothing happened.
        """
        limit = timeout if timeout is not None else (self.tx_timeout if tx else self.default_timeout)
        future = asyncio.run_coroutine_threadsafe(self._guard(coro, limit, tx, label), self._loop)
        pending = _Pending(future, on_result, on_error, owner, label)
        self._in_flight += 1
        self.busy_changed.emit(self._in_flight)
        future.add_done_callback(lambda _f, p=pending: self._finished.emit(p))
        return CallHandle(pending)

    @staticmethod
    async def _guard(coro: Awaitable[Any], limit: float, tx: bool, label: str) -> Any:
        try:
            return await asyncio.wait_for(coro, limit)
        except TimeoutError:
            what = label or ("transaction" if tx else "request")
            if tx:
                raise StatusUnknown(f"No confirmation of the {what} within {limit:g} s.") from None
            raise NetworkUnavailable(f"No answer to the {what} within {limit:g} s.") from None

    @Slot(object)
    def _deliver(self, pending: _Pending) -> None:
        self._in_flight -= 1
        self.busy_changed.emit(self._in_flight)
        try:
            self._run_callbacks(pending)
        finally:
            # Break the future <-> callback cycle here, on the GUI thread: left to the cycle collector,
            # widgets captured by callbacks could be destroyed from the network thread.
            pending.on_result = pending.on_error = pending.owner = None

    @staticmethod
    def _run_callbacks(pending: _Pending) -> None:
        if pending.owner is not None and not shiboken6.isValid(pending.owner):
            return
        future = pending.future
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            if pending.on_result:
                pending.on_result(future.result())
        elif pending.on_error:
            if not isinstance(error, NetworkError):   # a bug, not the network: the UI says "details are in the log"
                log.error("%s failed", pending.label or "network call", exc_info=error)
            pending.on_error(error)
        else:   # nobody asked for the error: it still must reach the user
            from soma_desktop.ui import errors

            errors.report(error, where=pending.label or "network call", owner=pending.owner)

    def run_blocking(self, coro: Awaitable[Any], timeout: float = 10.0) -> Any:
        """For start-up and shutdown only: wait for a coroutine from outside the loop thread."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            return

        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run_blocking(_cancel_all(), timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            log.warning("network tasks did not stop within %.1f s", timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
