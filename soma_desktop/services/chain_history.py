"""Every account's transactions as the chain recorded them, merged into one list (newest first).

Reads `list_account_transactions` (network/account_history.py) for all accounts at once; the signed amounts
and totals the History tab shows are computed here, not in the widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from soma_desktop.network.account_history import AccountTx, Direction
from soma_desktop.network.base import Network
from soma_desktop.network.errors import Unsupported

Row = tuple[str, AccountTx]    # (our account, one of its transactions)


def signed_amount(tx: AccountTx) -> int | None:
    """+amount received, −amount sent, 0 to yourself; None when the chain does not say."""
    if tx.amount is None:
        return None
    return tx.amount if tx.direction == Direction.IN else -tx.amount if tx.direction == Direction.OUT else 0


def merge_rows(rows: Iterable[Row]) -> list[Row]:
    """One row per (account, digest), newest first (a transfer between own accounts shows on both)."""
    seen: set[tuple[str, str]] = set()
    unique: list[Row] = []
    for account, tx in rows:
        if (account, tx.digest) not in seen:
            seen.add((account, tx.digest))
            unique.append((account, tx))
    return sorted(unique, key=lambda r: (r[1].timestamp_ms, r[1].epoch), reverse=True)


def received_total(rows: Sequence[Row]) -> int:
    return sum(tx.amount or 0 for _a, tx in rows if tx.direction == Direction.IN)


async def read_rows(network: Network, addresses: Sequence[str]) -> list[Row]:
    """All accounts' transactions; `Unsupported` where the network cannot list them."""
    fetch = getattr(network, "list_account_transactions", None)   # an optional extra (AccountHistorySource)
    if fetch is None:
        raise Unsupported(f"{network.name} cannot list an account's transactions.")
    lists = await asyncio.gather(*(fetch(address) for address in addresses))
    return merge_rows((address, tx) for address, txs in zip(addresses, lists, strict=True) for tx in txs)
