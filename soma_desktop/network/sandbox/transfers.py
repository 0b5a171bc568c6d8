"""Who received how much in each sandbox transfer, so incoming funds show in every account's history.

The chain's tx log keeps the created coin ids but not their amounts (a coin's balance changes once it is
spent), so `SandboxNetwork` records recipients and amounts here right after each successful transfer. Rows are
checked against the tx log (digest and timestamp) because a sandbox reset restarts the digest sequence.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from soma_desktop.core.ids import normalize_id
from soma_desktop.core.storage import transaction
from soma_desktop.network import types as t
from soma_desktop.network.account_history import AccountTx, Direction
from soma_desktop.network.sandbox.chain import SandboxChain

SCHEMA = """
CREATE TABLE IF NOT EXISTS account_transfers (digest TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,
    recipient TEXT NOT NULL, amount INTEGER NOT NULL, ord INTEGER NOT NULL, PRIMARY KEY (digest, ord));
CREATE INDEX IF NOT EXISTS account_transfers_recipient ON account_transfers(recipient);
"""
TRANSFER_KINDS = ("TransferCoin", "PayCoins")


class TransferBook:
    def __init__(self, chain: SandboxChain) -> None:
        self.chain = chain
        self.conn: sqlite3.Connection = chain.conn
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    def record(self, result: t.TxResult, recipients: Sequence[str], amounts: Sequence[int]) -> t.TxResult:
        """Remember a successful transfer's recipients and amounts; returns `result` unchanged."""
        row = self.chain.get_transaction(result.digest)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM account_transfers WHERE digest=?", (result.digest,))
            self.conn.executemany(
                "INSERT INTO account_transfers(digest, timestamp_ms, recipient, amount, ord) VALUES(?, ?, ?, ?, ?)",
                [(result.digest, row["timestamp_ms"], normalize_id(r), int(a), i)
                 for i, (r, a) in enumerate(zip(recipients, amounts))])
        return result

    def record_minted(self, result: t.TxResult, recipient: str) -> t.TxResult:
        """A transfer whose amount is the balance of the coin it created (the faucet's)."""
        created = set(result.created)
        amount = sum(c.balance for c in self.chain.list_coins(recipient) if c.id in created)
        return self.record(result, [recipient], [amount])

    def clear(self) -> None:
        self.conn.execute("DELETE FROM account_transfers")

    def account_history(self, address: str, limit: int = 200) -> list[AccountTx]:
        """Newest first: what `address` signed, and transfers others sent to it."""
        me = normalize_id(address)
        rows = {row["digest"]: row for row in self.chain.list_transactions(min(limit, 10_000), me)}
        incoming = self.conn.execute(
            "SELECT DISTINCT digest, timestamp_ms FROM account_transfers WHERE recipient=? ORDER BY rowid DESC LIMIT ?",
            (me, limit)).fetchall()
        for digest, stamp in incoming:
            if digest not in rows:
                row = self.chain.store.tx(digest)
                if row is not None and row["timestamp_ms"] == stamp:
                    rows[digest] = row
        ordered = sorted(rows.values(), key=lambda r: r["seq"], reverse=True)[:limit]
        return [self._entry(me, row) for row in ordered]

    def _legs(self, row: dict[str, Any]) -> list[tuple[str, int]]:
        cur = self.conn.execute("SELECT recipient, amount FROM account_transfers WHERE digest=? AND timestamp_ms=? "
                                "ORDER BY ord", (row["digest"], row["timestamp_ms"]))
        return [(r, a) for r, a in cur.fetchall()]

    def _entry(self, me: str, row: dict[str, Any]) -> AccountTx:
        sender = row["sender"]
        legs = self._legs(row) if row["kind"] in TRANSFER_KINDS else []
        if sender != me:
            direction, counterparty = Direction.IN, sender
            amount: int | None = sum(a for r, a in legs if r == me)
            fee = 0
        else:
            others = [(r, a) for r, a in legs if r != me]
            direction = Direction.SELF if legs and not others else Direction.OUT
            counterparty = others[0][0] if len(others) == 1 else None
            amount = sum(a for _r, a in others) if legs else None
            fee = row["fee"]
        return AccountTx(digest=row["digest"], kind=row["kind"], direction=direction, sender=sender,
                         counterparty=counterparty, amount=amount, fee=fee, status=row["status"],
                         error=row["error"], epoch=row["epoch"], timestamp_ms=row["timestamp_ms"])
