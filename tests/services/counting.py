"""A Network wrapper that counts what reaches the real network: reads and transactions, by method."""

from __future__ import annotations

from collections import Counter
from typing import Any

READS = ("get_", "list_", "health")
CONTROL = ("advance_epoch", "close", "reset", "start")


class CountingNetwork:
    def __init__(self, network: Any):
        self._network = network
        self.reads: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()

    def reset(self) -> None:
        self.reads.clear()
        self.transactions.clear()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._network, name)
        if not callable(attr) or name in CONTROL:
            return attr
        counter = self.reads if name.startswith(READS) else self.transactions

        def counted(*args: Any, **kwargs: Any) -> Any:
            counter[name] += 1
            return attr(*args, **kwargs)
        return counted
