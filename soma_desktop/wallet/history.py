"""A persisted history of the transactions this app sent (SQLite, WAL, synchronous=FULL) + CSV export.

Amounts and fees are integer shannons. Nothing secret is stored here: addresses, digests, amounts and
the chain's failure reason only.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from soma_desktop.core.amounts import U64_MAX, format_soma
from soma_desktop.core.ids import normalize_id
from soma_desktop.core.storage import atomic_write, open_db, transaction

HISTORY_FILE = "wallet_history.db"
MAX_REASON_CHARS = 2000
MAX_TEXT_CHARS = 200


class TxStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    FAILED = "failed"


class TxKind(StrEnum):
    TRANSFER = "transfer"
    PAY = "pay"
    MERGE = "merge"
    FAUCET = "faucet"
    STAKE = "stake"
    STAKE_MODEL = "stake_model"
    WITHDRAW_STAKE = "withdraw_stake"
    CREATE_MODEL = "create_model"
    COMMIT_MODEL = "commit_model"
    REVEAL_MODEL = "reveal_model"
    DEACTIVATE_MODEL = "deactivate_model"
    SET_COMMISSION = "set_commission"
    SUBMIT_DATA = "submit_data"
    CLAIM_REWARDS = "claim_rewards"
    OTHER = "other"


@dataclass(frozen=True)
class TxRecord:
    id: int
    network: str
    account: str
    kind: TxKind
    amount: int
    fee: int | None
    counterparty: str | None
    digest: str | None
    status: TxStatus
    reason: str | None
    created_ms: int
    updated_ms: int


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tx_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network TEXT NOT NULL,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    fee INTEGER CHECK (fee IS NULL OR fee >= 0),
    counterparty TEXT,
    digest TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
    reason TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tx_history_account ON tx_history (network, account, created_ms);
CREATE INDEX IF NOT EXISTS tx_history_status ON tx_history (status);
"""
_COLUMNS = "id, network, account, kind, amount, fee, counterparty, digest, status, reason, created_ms, updated_ms"
# SQLite INTEGER is signed 64-bit; amounts above 2^63-1 shannons (far beyond the total supply) are rejected.
_MAX_STORED = min(U64_MAX, 2**63 - 1)


def _amount(value: int | None, what: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_STORED:
        raise ValueError(f"{what} must be a non-negative integer number of shannons")
    return value


def _text(value: str | None, what: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text")
    return value[:limit]


def _row(row: tuple[Any, ...]) -> TxRecord:
    return TxRecord(row[0], row[1], row[2], TxKind(row[3]), row[4], row[5], row[6], row[7], TxStatus(row[8]),
                    row[9], row[10], row[11])


class TxHistory:
    """Thread-safe store; one instance per data dir."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time):
        self._path = Path(path)
        self._clock = clock
        self._mutex = threading.Lock()
        self._conn: sqlite3.Connection | None = open_db(self._path)
        self._conn.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> TxHistory:
        return cls(Path(data_dir) / HISTORY_FILE)

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("history is closed")
        return self._conn

    def add(self, network: str, account: str, kind: TxKind | str, amount: int, *, fee: int | None = None,
            counterparty: str | None = None, digest: str | None = None,
            status: TxStatus | str = TxStatus.PENDING, reason: str | None = None) -> TxRecord:
        """Record a transaction; call before sending (status pending) so a crash leaves a trace."""
        kind, status = TxKind(kind), TxStatus(status)
        values = (_text(network, "network"), normalize_id(account), kind.value, _amount(amount, "amount"),
                  _amount(fee, "fee", True), normalize_id(counterparty) if counterparty else None,
                  _text(digest, "digest"), status.value, _text(reason, "reason", MAX_REASON_CHARS))
        if not values[0]:
            raise ValueError("network name is required")
        now = self._now_ms()
        with self._mutex, transaction(self._db()) as db:
            cur = db.execute(f"INSERT INTO tx_history ({_COLUMNS.split(', ', 1)[1]}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             (*values, now, now))
            row_id = cur.lastrowid
        assert row_id is not None  # set by every INSERT
        return self.get(row_id)

    def update(self, record_id: int, *, status: TxStatus | str | None = None, reason: str | None = None,
               digest: str | None = None, fee: int | None = None) -> TxRecord:
        """Move a record on (e.g. pending -> confirmed, or failed with the chain's reason)."""
        sets: list[str] = []
        args: list[object] = []
        if status is not None:
            sets.append("status = ?")
            args.append(TxStatus(status).value)
        if reason is not None:
            sets.append("reason = ?")
            args.append(_text(reason, "reason", MAX_REASON_CHARS))
        if digest is not None:
            sets.append("digest = ?")
            args.append(_text(digest, "digest"))
        if fee is not None:
            sets.append("fee = ?")
            args.append(_amount(fee, "fee"))
        sets.append("updated_ms = ?")
        args.append(self._now_ms())
        with self._mutex, transaction(self._db()) as db:
            cur = db.execute(f"UPDATE tx_history SET {', '.join(sets)} WHERE id = ?", (*args, record_id))
            if cur.rowcount != 1:
                raise KeyError(f"no history record {record_id}")
        return self.get(record_id)

    def get(self, record_id: int) -> TxRecord:
        with self._mutex:
            row = self._db().execute(f"SELECT {_COLUMNS} FROM tx_history WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise KeyError(f"no history record {record_id}")
        return _row(row)

    def find_by_digest(self, digest: str) -> TxRecord | None:
        with self._mutex:
            row = self._db().execute(f"SELECT {_COLUMNS} FROM tx_history WHERE digest = ? ORDER BY id DESC LIMIT 1",
                                     (digest,)).fetchone()
        return _row(row) if row else None

    def records(self, *, network: str | None = None, account: str | None = None, status: TxStatus | str | None = None,
             kind: TxKind | str | None = None, limit: int | None = None, offset: int = 0) -> list[TxRecord]:
        """Newest first, filtered by any combination of network, account, status and kind."""
        where: list[str] = []
        args: list[object] = []
        if network is not None:
            where.append("network = ?")
            args.append(network)
        if account is not None:
            where.append("account = ?")
            args.append(normalize_id(account))
        if status is not None:
            where.append("status = ?")
            args.append(TxStatus(status).value)
        if kind is not None:
            where.append("kind = ?")
            args.append(TxKind(kind).value)
        sql = f"SELECT {_COLUMNS} FROM tx_history"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?"
        args += [-1 if limit is None else int(limit), int(offset)]
        with self._mutex:
            rows = self._db().execute(sql, args).fetchall()
        return [_row(r) for r in rows]

    def pending(self, network: str | None = None) -> list[TxRecord]:
        return self.records(network=network, status=TxStatus.PENDING)

    def export_csv(self, path: Path | str, **filters: Any) -> int:
        """Write the (filtered) history as CSV atomically; returns the number of rows."""
        records = self.records(**filters)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["id", "created_utc", "updated_utc", "network", "account", "kind", "amount_shannons",
                         "amount_soma", "fee_shannons", "counterparty", "digest", "status", "reason"])
        for r in records:
            writer.writerow([r.id, _iso(r.created_ms), _iso(r.updated_ms), _cell(r.network), r.account, r.kind.value,
                             r.amount, format_soma(r.amount, unit=False, group=False),
                             "" if r.fee is None else r.fee, r.counterparty or "", _cell(r.digest or ""),
                             r.status.value, _cell(r.reason or "")])
        atomic_write(Path(path), buf.getvalue().encode("utf-8"), mode=0o600)
        return len(records)

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def _cell(text: str) -> str:
    """Defuse spreadsheet formulas in untrusted text (chain reasons, network names)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
