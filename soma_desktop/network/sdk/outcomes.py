"""Unknown transaction outcomes, resolved from chain state (soma-sdk returns no digest after a failure).

Every executed SOMA transaction, successful or not, mutates its gas coin (fee), and the gas coin is one of the
sender's coins. So a snapshot of the sender's coin references (id, version, digest from `list_owned_objects`)
taken before sending decides the outcome afterwards, for every transaction kind:
- a coin the sender held before changed version or vanished (coins received meanwhile are new objects and
  do not count) -> the transaction executed (the kind-specific state, read by the caller, says
  how: model state, stakes, targets);
- nothing changed and the chain moved to a later epoch, or `settle_s` passed since the send -> it did not
  execute (transactions not certified within their epoch are dropped; soma-sdk gives up after 30 s + retries).
Until then the sender is blocked: a resend could pay twice.

The snapshot also counts staked objects, so a stake that landed while no coin reference was readable still
resolves. This module only decides; the adapter reads chain state and raises the typed errors.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    coins: frozenset[tuple[str, int, str]]     # (id, version, digest)
    staked: frozenset[str]


@dataclass(frozen=True)
class Unresolved:
    kind: str                 # the soma-sdk method, e.g. "transfer_coin"
    sender: str
    before: Snapshot
    sent_s: float
    reason: str


@dataclass(frozen=True)
class Resolution:
    kind: str
    sender: str
    executed: bool
    text: str


@dataclass
class OutcomeTracker:
    """`path`: where open entries survive a restart (the app and the guardian never run at once on one data dir),
    so a history record never stays "Checking…" because the process that sent it is gone. Wall-clock seconds."""

    settle_s: float = 180.0
    clock: Callable[[], float] = time.time
    open: dict[str, Unresolved] = field(default_factory=dict)        # sender -> its one unresolved tx
    resolved: list[Resolution] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        if self.path is not None:
            self.open = _load(self.path)

    def record(self, kind: str, sender: str, before: Snapshot, reason: str) -> None:
        self.open[sender] = Unresolved(kind, sender, before, self.clock(), reason)
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        from soma_desktop.core.storage import atomic_write_text

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps([_entry_json(e) for e in self.open.values()]))

    def pending(self, sender: str) -> Unresolved | None:
        return self.open.get(sender)

    def decide(self, sender: str, now: Snapshot) -> Resolution | None:
        """The outcome of `sender`'s unresolved transaction given fresh chain state, or None if still open."""
        entry = self.open.get(sender)
        if entry is None:
            return None
        # Our gas coin was one of the coins before; coins received meanwhile are new objects and change nothing.
        if not entry.before.coins <= now.coins or now.staked != entry.before.staked:
            found = Resolution(entry.kind, sender, True, f"{_label(entry.kind)} executed: the chain shows its effects.")
        elif now.epoch > entry.before.epoch or self.clock() - entry.sent_s >= self.settle_s:
            found = Resolution(entry.kind, sender, False,
                               f"{_label(entry.kind)} did not execute: nothing changed on chain; it can be sent again.")
        else:
            return None
        del self.open[sender]
        self.resolved.append(found)
        self._save()
        return found

    def settle(self, sender: str, found: Resolution) -> None:
        """Record an outcome learnt otherwise (e.g. the recovered id of a created model)."""
        if self.open.pop(sender, None) is not None:
            self.resolved.append(found)
            self._save()


def _label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


async def resolve_history(store: Any, network: Any, network_key: str, account: str) -> int:
    """Settle `account`'s history records that wait on an unknown outcome, from chain state.

    `store` is a wallet TxHistory (duck-typed: this layer does not import the wallet). Only the newest such
    record is the one the network still tracks (one unresolved transaction per account). Returns how many
    records changed. Networks without outcome tracking (the sandbox never has unknown outcomes) change nothing.
    """
    import asyncio

    resolve = getattr(network, "resolve_outcome", None)
    if resolve is None:
        return 0
    pending = [r for r in await asyncio.to_thread(store.records, network=network_key, account=account,
                                                  status="pending") if r.reason]
    if not pending:
        return 0
    found = await resolve(account)
    if found is None:
        return 0
    newest = max(pending, key=lambda r: r.created_ms)
    await asyncio.to_thread(store.update, newest.id, status="confirmed" if found.executed else "failed",
                            reason=f"Resolved from chain state: {found.text}")
    return 1


def _entry_json(e: Unresolved) -> dict[str, Any]:
    return {"kind": e.kind, "sender": e.sender, "sent_s": e.sent_s, "reason": e.reason, "epoch": e.before.epoch,
            "coins": sorted([list(c) for c in e.before.coins]), "staked": sorted(e.before.staked)}


def _load(path: Path) -> dict[str, Unresolved]:
    """Open entries from `path`; a missing or damaged file means none (logged, never fatal)."""
    try:
        rows = json.loads(path.read_text("utf-8"))
        out = {}
        for r in rows:
            before = Snapshot(int(r["epoch"]), frozenset((str(i), int(v), str(d)) for i, v, d in r["coins"]),
                              frozenset(str(x) for x in r["staked"]))
            out[str(r["sender"])] = Unresolved(str(r["kind"]), str(r["sender"]), before, float(r["sent_s"]),
                                               str(r["reason"]))
        return out
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logging.getLogger(__name__).warning("unknown-outcome records unreadable (%s); starting empty", exc)
        return {}
