"""Coins and the per-transaction context; the fee is `soma_desktop.protocol.fees` applied to what was written.

Objects written = created + mutated objects, counting the gas coin and, when the transaction touches it, the
SystemState object (models, pools and validators live inside SystemState on chain, so changing them writes
that one object). The value fee is computed from the kind's value base before anything changes, as on chain.
"""

from __future__ import annotations

from typing import NoReturn

from soma_desktop.core.crypto import derive_id
from soma_desktop.network.errors import TransactionFailed
from soma_desktop.network.sandbox.records import System
from soma_desktop.network.sandbox.store import CoinRow, Store
from soma_desktop.protocol import fees
from soma_desktop.protocol.fees import ChainTx, Fee, FeeParams

SYSTEM_STATE_ID = "0x" + "0" * 63 + "5"


class ChainError(TransactionFailed):
    """An execution failure with the chain's error name; the executor charges base_fee only."""

    def __init__(self, error_name: str, message: str = ""):
        super().__init__(error_name, f"{error_name}: {message}" if message else error_name)


def fail(error_name: str, message: str = "") -> NoReturn:
    raise ChainError(error_name, message)


class TxContext:
    """What a rule function may touch while executing one transaction."""

    def __init__(self, store: Store, system: System, digest: bytes, sender: str | None,
                 gas_coin_id: str | None, kind: ChainTx | None = None):
        self.store = store
        self.kind = kind
        self.system = system
        self.digest = digest
        self.sender = sender
        self.gas_coin_id = gas_coin_id
        self.value_fee = 0
        self.created: list[str] = []
        self.mutated: list[str] = []
        self.deleted: list[str] = []
        self.notes: list[str] = []
        self._counter = 0

    # --- ids (§1.3) --------------------------------------------------------------------------------
    def next_id(self) -> str:
        """derive_id(digest, n) with the per-tx creation counter."""
        out = derive_id(self.digest, self._counter)
        self._counter += 1
        return out

    def bump_counter(self) -> int:
        n = self._counter
        self._counter += 1
        return n

    # --- effects bookkeeping -------------------------------------------------------------------
    def note_created(self, obj_id: str) -> None:
        self.created.append(obj_id)

    def note_mutated(self, obj_id: str) -> None:
        if obj_id not in self.mutated and obj_id not in self.created:
            self.mutated.append(obj_id)

    def note_deleted(self, obj_id: str) -> None:
        self.deleted.append(obj_id)
        if obj_id in self.mutated:
            self.mutated.remove(obj_id)

    def touch_system(self) -> None:
        self.note_mutated(SYSTEM_STATE_ID)

    def write_count(self) -> int:
        written = set(self.created) | set(self.mutated)
        if self.gas_coin_id:
            written.add(self.gas_coin_id)
        return len(written)

    @property
    def fee_params(self) -> FeeParams:
        return FeeParams(value_fee_bps=self.system.value_fee_bps)

    def fee(self) -> Fee:
        params = self.fee_params
        return Fee(params.base_fee, params.write_object_fee * self.write_count(), self.value_fee)

    def total_fee(self) -> int:
        return self.fee().total

    def charge_value_fee(self, value_base: int) -> int:
        """The kind's value fee on `value_base` (protocol.fees: full, half or none)."""
        assert self.kind is not None
        fee = fees.value_fee(self.kind, value_base, self.system.value_fee_bps)
        self.value_fee += fee
        return fee

    def precheck(self, coin: CoinRow, amount: int, writes: int | None = None) -> None:
        """The executor's pre-check on the gas coin (after base_fee): amount + value fee + pre-check writes."""
        assert self.kind is not None
        need = fees.precheck_need(self.kind, amount, self.fee_params, writes=writes)
        if coin.balance < need:
            fail("InsufficientCoinBalance", f"coin holds {coin.balance}, needs {need} (amount and fees)")

    # --- coins ----------------------------------------------------------------------------------
    def gas_coin(self) -> CoinRow:
        assert self.gas_coin_id is not None
        coin = self.store.coin(self.gas_coin_id)
        assert coin is not None
        return coin

    def debit(self, coin: CoinRow, amount: int) -> None:
        if coin.balance < amount:
            fail("InsufficientCoinBalance", f"coin holds {coin.balance}, needs {amount}")
        self.store.put_coin(coin.id, coin.owner, coin.balance - amount)
        self.note_mutated(coin.id)

    def mint_coin(self, owner: str, amount: int) -> str:
        """A new Coin object (payouts, transfers). Value always comes from somewhere the caller debited."""
        coin_id = self.next_id()
        self.store.put_coin(coin_id, owner, amount)
        self.note_created(coin_id)
        return coin_id

    def delete_coin(self, coin_id: str) -> None:
        self.store.delete_coin(coin_id)
        self.note_deleted(coin_id)
