"""One address's history on a soma-sdk network, rebuilt from what soma-sdk 0.1.15 can read.

soma-sdk has no "transactions of an address" query. What it has:
- `list_owned_objects(owner)`: every object the address owns now, each with `previous_transaction`, the digest
  of the transaction that last wrote it;
- `get_transaction(digest)`: the transaction's **effects only** (python-sdk/src/lib.rs L711-718 returns
  `result.effects`, dropping the `checkpoint`, `timestamp_ms` and `balance_changes` that the Rust client reads,
  rpc/src/api/client.rs L546-552). Effects (types/src/effects/mod.rs L63-98) hold the status, executed epoch,
  fee, lamport version and, per changed object, its owner before and after (object_change.rs L55-144). They do
  not hold the sender, the transaction kind, amounts or a time.

So this module covers:
- the transactions that produced the address's current objects: incoming transfers, faucet coins, stake
  objects, change coins of its own transactions;
- the transactions this app sent in this session (`note_sent`), found by digest even when nothing they wrote
  is still owned.
Per row: sender = owner of the gas coin before the transaction (the gas payer; SOMA has no sponsored gas);
direction IN when someone else paid, OUT when the address did; counterparty = the sender (IN) or the first
other address that received an object (OUT); amount = for IN, the current balance of the received coins, which
is exactly what arrived because the coins were not written since (`previous_transaction` is this digest);
for OUT, the balances of the coins it created for or moved to other addresses, read as that transaction wrote
them with `get_object_with_version(id, effects.version)` (all objects a transaction writes get its lamport
version, types/src/effects/mod.rs L85-87; at most MAX_SENT_OBJECTS reads per transaction); otherwise None
("—"): effects carry no balances, and a node may not serve old object versions. Kind is known only for this
app's own transactions.
Time: none (timestamp_ms = 0); rows are ordered newest first by (epoch, lamport version), which orders
transactions within an epoch only approximately.

It cannot find: incoming funds that were already spent, merged or moved on (their coins were rewritten by a
later transaction), outgoing transactions sent by other software or in an earlier session whose outputs the
address no longer owns, failed incoming transactions, or transactions the node does not serve ("not found":
genesis objects, pruned history), which are skipped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from soma_desktop.core.ids import normalize_id
from soma_desktop.network.account_history import AccountTx, Direction
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.sdk import decode

Reader = Callable[..., Awaitable[Any]]
CACHE_SIZE = 512                 # effects of executed transactions never change: cache them by digest
MAX_SENT_OBJECTS = 8             # get_object_with_version reads per outgoing transaction


def _kind_of(method: str) -> str:
    """`transfer_coin` -> `TransferCoin`: the chain's TransactionKind names (the UI's KIND_TEXT keys)."""
    return "".join(part.capitalize() for part in method.split("_"))


def _owner(value: Any) -> str | None:
    """The address of an `Owner` (AddressOwner only); None for shared or immutable objects."""
    if value is None:
        return None
    tag, payload = decode.variant(value)
    return normalize_id(str(payload)) if tag == "AddressOwner" and payload is not None else None


def _input_owner(detail: Any) -> str | None:
    """`ObjectIn::Exist(((version, digest), owner))`, or None for `NotExist`."""
    tag, payload = decode.variant(decode.get(detail, "input_state", "NotExist"))
    return _owner(payload[1]) if tag == "Exist" and payload is not None else None


def _output_owner(detail: Any) -> str | None:
    """`ObjectOut::ObjectWrite((digest, owner))`, or None when the object was deleted."""
    tag, payload = decode.variant(decode.get(detail, "output_state", "NotExist"))
    return _owner(payload[1]) if tag == "ObjectWrite" and payload is not None else None


class SdkHistory:
    """`read(method, *args)`: SdkNetwork's read path (its polling client, under its timeout)."""

    def __init__(self, read: Reader, cache_size: int = CACHE_SIZE) -> None:
        self._read = read
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._sent_amounts: OrderedDict[str, int | None] = OrderedDict()
        self._cache_size = cache_size
        self._sent: dict[str, dict[str, str]] = {}           # sender -> digest -> soma-sdk method, oldest first

    def note_sent(self, sender: str, digest: str, method: str) -> None:
        """Remember a transaction this app executed, so it is listed even when it left no owned object."""
        if digest:
            self._sent.setdefault(normalize_id(sender), {})[digest] = method

    async def account_transactions(self, address: str, limit: int = 200) -> list[AccountTx]:
        """Newest first; at most `limit` get_transaction calls (cached ones are free)."""
        me = normalize_id(address)
        objects = await self._read("list_owned_objects", me[2:])
        written: dict[str, list[Any]] = {}
        for obj in objects:
            digest = decode.get(obj, "previous_transaction", None)
            if digest:
                written.setdefault(str(digest), []).append(obj)
        sent = self._sent.get(me, {})
        digests = list(dict.fromkeys([*reversed(sent), *written]))[:max(0, limit)]
        rows = []
        for digest in digests:
            try:
                effects = decode.unwrap_versioned(await self._effects(digest))
            except InvalidInput:          # NotFound: genesis objects, or a node that pruned the transaction
                continue
            key, row = self._row(me, digest, effects, written.get(digest, []), sent.get(digest))
            if row.direction == Direction.OUT and row.status == "success":
                row = replace(row, amount=await self._sent_amount(me, digest, effects))
            rows.append((key, row))
        return [row for _key, row in sorted(rows, key=lambda r: r[0], reverse=True)]

    async def _sent_amount(self, me: str, digest: str, body: Any) -> int | None:
        """SOMA in the coins the transaction wrote for other addresses; None if there are none or unreadable."""
        if digest in self._sent_amounts:
            return self._sent_amounts[digest]
        version = int(decode.get(body, "version", 0) or 0)
        changes = [(normalize_id(str(c[0])), c[1]) for c in decode.get(body, "changed_objects", None) or []]
        leaving = [oid for oid, d in changes
                   if _output_owner(d) not in (None, me) and _input_owner(d) != _output_owner(d)]
        amount: int | None = None
        if leaving and len(leaving) <= MAX_SENT_OBJECTS:
            try:
                objects = [await self._read("get_object_with_version", oid, version) for oid in leaving]
                coins = decode.coins(o for o in objects if self._is_coin(o))
                amount = sum(c.balance for c in coins) if coins else None
            except (InvalidInput, ValueError):      # not served (pruned), or not a coin the way we read it
                amount = None
        self._sent_amounts[digest] = amount
        while len(self._sent_amounts) > self._cache_size:
            self._sent_amounts.popitem(last=False)
        return amount

    async def _effects(self, digest: str) -> Any:
        if digest in self._cache:
            self._cache.move_to_end(digest)
            return self._cache[digest]
        effects = await self._read("get_transaction", digest)
        self._cache[digest] = effects
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return effects

    def _row(self, me: str, digest: str, body: Any, owned: list[Any],
             method: str | None) -> tuple[tuple[int, int], AccountTx]:
        changes = [(normalize_id(str(c[0])), c[1]) for c in decode.get(body, "changed_objects", None) or []]
        gas = decode.get(body, "gas_object_index", None)
        sender = _input_owner(changes[gas][1]) if gas is not None and 0 <= int(gas) < len(changes) else None
        received = {oid for oid, detail in changes if _output_owner(detail) == me and _input_owner(detail) != me}
        failure = decode.execution_failure(body)
        fee = decode.get(body, "transaction_fee", None)
        epoch = int(decode.get(body, "executed_epoch", 0) or 0)
        if sender == me or (sender is None and method is not None):
            others = [o for o in (_output_owner(d) for _oid, d in changes) if o is not None and o != me]
            direction, counterparty, amount = Direction.OUT, (others[0] if others else None), None
            kind = _kind_of(method) if method else "Transaction"
            paid = int(decode.get(fee, "total_fee", 0)) if fee is not None else 0
        else:
            coins = decode.coins(o for o in owned
                                 if self._is_coin(o) and normalize_id(str(decode.get(o, "id"))) in received)
            direction, counterparty, paid = Direction.IN, sender, 0
            amount = sum(c.balance for c in coins) if coins else None
            kind = "CoinsReceived" if coins else "ObjectsReceived"
        tx = AccountTx(digest=digest, kind=kind, direction=direction, sender=sender, counterparty=counterparty,
                       amount=amount, fee=paid, status="failure" if failure else "success", error=failure,
                       epoch=epoch, timestamp_ms=0)
        return (epoch, int(decode.get(body, "version", 0) or 0)), tx

    @staticmethod
    def _is_coin(obj: Any) -> bool:
        return str(decode.get(decode.get(obj, "data", None), "object_type", "")).lower() == "coin"
