"""SQLite schema and row access. One row per object, JSON for the object's fields.

The rules modules never touch SQL; they read and write records through `Store`. Atomicity comes from the
caller (`chain.py`): one `core.storage.transaction` per chain transaction, a SAVEPOINT around execution.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from soma_desktop.network.errors import NetworkError
from soma_desktop.network.sandbox.records import Model, Pool, System, Target, Validator

T = TypeVar("T")

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS coins (id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS coins_owner ON coins(owner);
CREATE TABLE IF NOT EXISTS staked (id TEXT PRIMARY KEY, owner TEXT NOT NULL, pool_id TEXT NOT NULL,
    activation_epoch INTEGER NOT NULL, principal INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS staked_owner ON staked(owner);
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (address TEXT PRIMARY KEY, ord INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS models (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targets (id TEXT PRIMARY KEY, status TEXT NOT NULL, generation_epoch INTEGER NOT NULL,
    fill_epoch INTEGER, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS targets_order ON targets(generation_epoch DESC, id);
CREATE TABLE IF NOT EXISTS txs (seq INTEGER PRIMARY KEY, digest TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
    sender TEXT, status TEXT NOT NULL, error TEXT, fee INTEGER NOT NULL, epoch INTEGER NOT NULL,
    timestamp_ms INTEGER NOT NULL, created TEXT NOT NULL, mutated TEXT NOT NULL, deleted TEXT NOT NULL,
    note TEXT);
"""

TABLES = ("meta", "coins", "staked", "pools", "validators", "models", "targets", "txs")


@dataclass(frozen=True)
class CoinRow:
    id: str
    owner: str
    balance: int


@dataclass(frozen=True)
class StakedRow:
    id: str
    owner: str
    pool_id: str
    activation_epoch: int
    principal: int


class Store:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def create_schema(self) -> None:
        # Statement by statement: executescript() would commit the caller's transaction.
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    def wipe(self) -> None:
        for table in TABLES:
            self.conn.execute(f"DELETE FROM {table}")

    def _one(self, sql: str, *args: Any) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    # --- meta / system ------------------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        text = self._one("SELECT value FROM meta WHERE key=?", key)
        return None if text is None else json.loads(text)

    def put_meta(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, json.dumps(value)))

    def system(self) -> System:
        return System.from_json(self.get_meta("system"))

    def put_system(self, system: System) -> None:
        self.put_meta("system", system.to_json())

    # --- coins ----------------------------------------------------------------------------------
    def coin(self, coin_id: str) -> CoinRow | None:
        row = self.conn.execute("SELECT id, owner, balance FROM coins WHERE id=?", (coin_id,)).fetchone()
        return CoinRow(*row) if row else None

    def coins_of(self, owner: str) -> list[CoinRow]:
        rows = self.conn.execute("SELECT id, owner, balance FROM coins WHERE owner=? ORDER BY balance DESC, id",
                                 (owner,)).fetchall()
        return [CoinRow(*r) for r in rows]

    def put_coin(self, coin_id: str, owner: str, balance: int) -> None:
        if balance < 0:
            raise AssertionError(f"negative coin balance {balance}")
        self.conn.execute("INSERT OR REPLACE INTO coins(id, owner, balance) VALUES(?, ?, ?)", (coin_id, owner, balance))

    def delete_coin(self, coin_id: str) -> None:
        self.conn.execute("DELETE FROM coins WHERE id=?", (coin_id,))

    def total_coins(self) -> int:
        return int(self._one("SELECT COALESCE(SUM(balance), 0) FROM coins"))

    def min_coin_balance(self) -> int:
        return int(self._one("SELECT COALESCE(MIN(balance), 0) FROM coins"))

    # --- staked soma ----------------------------------------------------------------------------
    def staked(self, staked_id: str) -> StakedRow | None:
        row = self.conn.execute("SELECT id, owner, pool_id, activation_epoch, principal FROM staked WHERE id=?",
                                (staked_id,)).fetchone()
        return StakedRow(*row) if row else None

    def staked_of(self, owner: str) -> list[StakedRow]:
        rows = self.conn.execute("SELECT id, owner, pool_id, activation_epoch, principal FROM staked WHERE owner=? "
                                 "ORDER BY activation_epoch, id", (owner,)).fetchall()
        return [StakedRow(*r) for r in rows]

    def put_staked(self, row: StakedRow) -> None:
        self.conn.execute("INSERT OR REPLACE INTO staked VALUES(?, ?, ?, ?, ?)",
                          (row.id, row.owner, row.pool_id, row.activation_epoch, row.principal))

    def delete_staked(self, staked_id: str) -> None:
        self.conn.execute("DELETE FROM staked WHERE id=?", (staked_id,))

    # --- pools, validators, models ----------------------------------------------------------------
    def pool(self, pool_id: str) -> Pool | None:
        text = self._one("SELECT data FROM pools WHERE id=?", pool_id)
        return Pool.from_json(json.loads(text)) if text else None

    def pools(self) -> list[Pool]:
        return [Pool.from_json(json.loads(t)) for (t,) in self.conn.execute("SELECT data FROM pools ORDER BY id")]

    def put_pool(self, pool: Pool) -> None:
        for value in (pool.soma_balance, pool.rewards_pool, pool.pool_token_balance, pool.pending_stake):
            if value < 0:
                raise AssertionError(f"negative pool field in {pool.id}")
        self.conn.execute("INSERT OR REPLACE INTO pools(id, data) VALUES(?, ?)", (pool.id, json.dumps(pool.to_json())))

    def validators(self) -> list[Validator]:
        rows = self.conn.execute("SELECT data FROM validators ORDER BY ord")
        return [Validator.from_json(json.loads(t)) for (t,) in rows]

    def validator(self, address: str) -> Validator | None:
        text = self._one("SELECT data FROM validators WHERE address=?", address)
        return Validator.from_json(json.loads(text)) if text else None

    def put_validator(self, validator: Validator, order: int | None = None) -> None:
        if order is None:
            order = self._one("SELECT ord FROM validators WHERE address=?", validator.address)
        self.conn.execute("INSERT OR REPLACE INTO validators(address, ord, data) VALUES(?, ?, ?)",
                          (validator.address, order, json.dumps(validator.to_json())))

    def model(self, model_id: str) -> Model | None:
        text = self._one("SELECT data FROM models WHERE id=?", model_id)
        return Model.from_json(json.loads(text)) if text else None

    def models(self) -> list[Model]:
        """Every model in id order — the chain's BTreeMap order, which KNN relies on."""
        return [Model.from_json(json.loads(t)) for (t,) in self.conn.execute("SELECT data FROM models ORDER BY id")]

    def put_model(self, model: Model) -> None:
        self.conn.execute("INSERT OR REPLACE INTO models(id, data) VALUES(?, ?)",
                          (model.id, json.dumps(model.to_json())))

    def model_for_pool(self, pool_id: str) -> Model | None:
        for model in self.models():
            if model.pool_id == pool_id:
                return model
        return None

    # --- targets --------------------------------------------------------------------------------
    def target(self, target_id: str) -> Target | None:
        text = self._one("SELECT data FROM targets WHERE id=?", target_id)
        return Target.from_json(json.loads(text)) if text else None

    def put_target(self, target: Target) -> None:
        self.conn.execute("INSERT OR REPLACE INTO targets(id, status, generation_epoch, fill_epoch, data) "
                          "VALUES(?, ?, ?, ?, ?)", (target.id, target.status, target.generation_epoch,
                                                    target.fill_epoch, json.dumps(target.to_json())))

    def delete_target(self, target_id: str) -> None:
        self.conn.execute("DELETE FROM targets WHERE id=?", (target_id,))

    def total_target_funds(self) -> tuple[int, int]:
        """(Σ reward_pool, Σ bond_amount) held by targets."""
        rewards = bonds = 0
        for (text,) in self.conn.execute("SELECT data FROM targets"):
            data = json.loads(text)
            rewards += data["reward_pool"]
            bonds += data["bond_amount"]
        return rewards, bonds

    def query_targets(self, where: str, args: tuple[int, ...], after: tuple[int, str] | None,
                      limit: int) -> list[Target]:
        sql = f"SELECT data, generation_epoch, id FROM targets WHERE ({where})"
        params: list[Any] = list(args)
        if after is not None:
            sql += " AND (generation_epoch < ? OR (generation_epoch = ? AND id > ?))"
            params += [after[0], after[0], after[1]]
        sql += " ORDER BY generation_epoch DESC, id LIMIT ?"
        params.append(limit)
        return [Target.from_json(json.loads(t)) for (t, _g, _i) in self.conn.execute(sql, params)]

    # --- tx log ---------------------------------------------------------------------------------
    def log_tx(self, *, digest: str, kind: str, sender: str | None, status: str, error: str | None, fee: int,
               epoch: int, timestamp_ms: int, created: list[str], mutated: list[str], deleted: list[str],
               note: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO txs(digest, kind, sender, status, error, fee, epoch, timestamp_ms, created, mutated, deleted, "
            "note) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (digest, kind, sender, status, error, fee, epoch, timestamp_ms, json.dumps(created), json.dumps(mutated),
             json.dumps(deleted), note))

    def tx(self, digest: str) -> dict[str, Any] | None:
        cur = self.conn.execute("SELECT * FROM txs WHERE digest=?", (digest,))
        row = cur.fetchone()
        return _tx_dict(cur, row) if row else None

    def txs(self, limit: int, sender: str | None = None) -> list[dict[str, Any]]:
        if sender:
            cur = self.conn.execute("SELECT * FROM txs WHERE sender=? ORDER BY seq DESC LIMIT ?", (sender, limit))
        else:
            cur = self.conn.execute("SELECT * FROM txs ORDER BY seq DESC LIMIT ?", (limit,))
        return [_tx_dict(cur, row) for row in cur.fetchall()]

    def iter_all_staked(self) -> Iterator[StakedRow]:
        for row in self.conn.execute("SELECT id, owner, pool_id, activation_epoch, principal FROM staked"):
            yield StakedRow(*row)


def _tx_dict(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    out = {d[0]: v for d, v in zip(cur.description, row)}
    for key in ("created", "mutated", "deleted"):
        out[key] = json.loads(out[key])
    return out


# --- damage detection and recovery ----------------------------------------------------------------

class SandboxCorrupt(NetworkError):
    """The sandbox chain file is damaged. Retrying cannot help: the user is offered a reset that keeps a copy."""

    def __init__(self, path: Path, cause: str):
        super().__init__(f"The sandbox chain file {path} is damaged ({cause}). Use \"Reset sandbox (keep a "
                         "copy)\" to start a fresh sandbox; the damaged file is kept beside it.")
        self.path, self.cause = path, cause


def check_database(path: Path) -> None:
    """Open `path` read-only and run SQLite's quick_check; raise SandboxCorrupt with the cause."""
    if not path.exists() or path.stat().st_size == 0:
        return   # a fresh sandbox: genesis writes it
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SandboxCorrupt(path, str(exc)) from None
    if result != "ok":
        raise SandboxCorrupt(path, f"integrity check: {str(result)[:200]}")


def open_guarded(path: Path, opener: Callable[[], T]) -> T:
    """Run `opener` (which opens the chain at `path`) turning SQLite damage into SandboxCorrupt."""
    check_database(path)
    try:
        return opener()
    except sqlite3.DatabaseError as exc:
        raise SandboxCorrupt(path, str(exc)) from None


def quarantine(path: Path) -> Path | None:
    """Move the damaged chain (and its WAL/SHM files) aside as `<name>.corrupt-<UTC time>`; returns the copy."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    if not path.exists():
        return None
    os.replace(path, kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    return kept
