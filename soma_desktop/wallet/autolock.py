"""Idle auto-lock as plain logic: the UI pokes it on user activity and polls `check()` from a timer."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

DEFAULT_IDLE_S = 5 * 60
MIN_IDLE_S = 30
MAX_IDLE_S = 24 * 3600


class AutoLock:
    """Calls `on_lock` once after `timeout_s` without activity while armed.

    `hold()` keeps the wallet unlocked during an operation that needs the keys (signing in progress);
    the idle clock restarts when the last hold ends.
    """

    def __init__(self, on_lock: Callable[[], None], timeout_s: float = DEFAULT_IDLE_S, *,
                 clock: Callable[[], float] = time.monotonic):
        self._on_lock = on_lock
        self._clock = clock
        self._timeout = self._validate(timeout_s)
        self._last = clock()
        self._armed = False
        self._holds = 0
        self._mutex = threading.Lock()

    @staticmethod
    def _validate(timeout_s: float) -> float:
        if not MIN_IDLE_S <= timeout_s <= MAX_IDLE_S:
            raise ValueError(f"auto-lock delay must be between {MIN_IDLE_S} s and {MAX_IDLE_S // 3600} h")
        return float(timeout_s)

    @property
    def timeout_s(self) -> float:
        return self._timeout

    @property
    def armed(self) -> bool:
        return self._armed

    def set_timeout(self, timeout_s: float) -> None:
        with self._mutex:
            self._timeout = self._validate(timeout_s)
            self._last = self._clock()

    def arm(self) -> None:
        """Start counting (call after a successful unlock)."""
        with self._mutex:
            self._armed = True
            self._last = self._clock()

    def disarm(self) -> None:
        """Stop counting (call after a manual lock)."""
        with self._mutex:
            self._armed = False

    def poke(self) -> None:
        """User activity: restart the idle clock."""
        with self._mutex:
            self._last = self._clock()

    def remaining_s(self) -> float:
        with self._mutex:
            if not self._armed or self._holds:
                return self._timeout
            return max(0.0, self._timeout - (self._clock() - self._last))

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._mutex:
            self._holds += 1
        try:
            yield
        finally:
            with self._mutex:
                self._holds -= 1
                self._last = self._clock()

    def check(self) -> bool:
        """Lock if idle for long enough. Returns True when it locked just now (on_lock called once)."""
        with self._mutex:
            due = self._armed and not self._holds and self._clock() - self._last >= self._timeout
            if due:
                self._armed = False
        if due:
            self._on_lock()
        return due
