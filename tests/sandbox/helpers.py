"""Helpers for the sandbox rules suite (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from soma_desktop.core.crypto import blake2b256
from soma_desktop.network import types as t
from soma_desktop.network.errors import TransactionFailed
from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS, SandboxChain
from soma_desktop.network.sandbox.params import SOMA

DIM = 16
DEMO = SANDBOX_DEMO_ADDRESS


class FakeClock:
    def __init__(self, start_ms: int = 1_700_000_000_000):
        self.now = start_ms

    def __call__(self) -> int:
        return self.now


@dataclass(frozen=True)
class FakeSigner:
    address: str

    def secret_key(self) -> bytes:
        return bytes(32)


def addr(tag: str) -> str:
    return "0x" + blake2b256(tag.encode()).hex()


def fund(chain: SandboxChain, address: str, amount: int) -> None:
    chain.transfer_coin(DEMO, address, amount)


def set_value_fee(chain: SandboxChain, bps: int) -> None:
    """Pin value_fee_bps (a quiet sandbox drifts down to 7 bps, §6.4) so a test controls the rate."""
    with chain.conn:
        system = chain.store.system()
        system.value_fee_bps = bps
        chain.store.put_system(system)


def mint(chain: SandboxChain, owner: str, balance: int) -> str:
    """Test-only: a coin out of thin air (breaks the supply audit), for amounts beyond the demo accounts."""
    salt = struct.pack("<QQ", balance, len(chain.list_coins(owner)))
    coin_id = "0x" + blake2b256(b"minted" + owner.encode() + salt).hex()
    with chain.conn:
        chain.store.put_coin(coin_id, owner, balance)
    return coin_id


def embedding(seed: int, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=dim).astype(np.float32)


def commit_spec(model_id: str, emb: np.ndarray, key: bytes, *, size: int = 1234) -> t.CommitSpec:
    manifest = t.Manifest(url="https://example.org/w.enc", checksum=blake2b256(b"weights" + key), size=size)
    return t.CommitSpec(model_id=model_id, manifest=manifest, encrypted_path="/nonexistent",
                        decryption_key=key, embedding_f32=np.asarray(emb, dtype="<f4").tobytes())


def create_model(chain: SandboxChain, owner: str = DEMO, stake: int = SOMA, rate: int = 100) -> str:
    result = chain.create_model(owner, stake, rate)
    assert result.model_id
    return result.model_id


def activate_model(chain: SandboxChain, owner: str = DEMO, *, seed: int = 1, stake: int = SOMA,
                   emb: np.ndarray | None = None) -> tuple[str, np.ndarray, bytes]:
    """create → commit (epoch E) → advance → reveal (E+1). Returns (model_id, embedding, key)."""
    model_id = create_model(chain, owner, stake)
    emb = embedding(seed) if emb is None else emb
    key = bytes([seed % 256]) * 32
    chain.commit_model(owner, commit_spec(model_id, emb, key))
    chain.advance_epoch()
    chain.reveal_model(owner, model_id, key, emb.tolist())
    return model_id, emb, key


def expect_fail(name: str, fn, *args, **kwargs) -> TransactionFailed:
    with pytest.raises(TransactionFailed) as info:
        fn(*args, **kwargs)
    assert info.value.error_name == name, str(info.value)
    return info.value


def snapshot(chain: SandboxChain) -> dict[str, Any]:
    """Every row of every table: compare before/after to prove 'nothing changed'."""
    out = {}
    for table in ("meta", "coins", "staked", "pools", "validators", "models", "targets", "txs"):
        out[table] = sorted(chain.conn.execute(f"SELECT * FROM {table}").fetchall())
    return out


def base_fee_only(before: dict[str, Any], after: dict[str, Any], gas_coin_id: str) -> None:
    """A failed on-chain tx: only the gas coin (−1000), the fee pot (+1000), the seq and the log changed."""
    for table in ("staked", "pools", "validators", "models", "targets"):
        assert before[table] == after[table], table
    coins_b = {r[0]: r for r in before["coins"]}
    coins_a = {r[0]: r for r in after["coins"]}
    assert coins_b.keys() == coins_a.keys()
    for cid in coins_b:
        delta = coins_a[cid][2] - coins_b[cid][2]
        assert delta == (-1000 if cid == gas_coin_id else 0), cid
    sys_b = json.loads(dict(before["meta"])["system"])
    sys_a = json.loads(dict(after["meta"])["system"])
    assert sys_a["fees_epoch"] - sys_b["fees_epoch"] == 1000
    sys_a["fees_epoch"] = sys_b["fees_epoch"]
    sys_a["tx_seq"] = sys_b["tx_seq"]
    assert sys_a == sys_b
    assert len(after["txs"]) == len(before["txs"]) + 1


def assert_supply(chain: SandboxChain) -> None:
    audit = chain.supply_audit()
    assert audit["total"] == audit["expected"], audit
    assert chain.store.min_coin_balance() >= 0
    for pool in chain.store.pools():
        assert pool.soma_balance >= 0 and pool.pending_stake >= 0 and pool.value >= 0, pool


def u64le(n: int) -> bytes:
    return struct.pack("<Q", n)


