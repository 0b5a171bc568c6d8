"""The sandbox's state objects. Plain dataclasses, serialised as JSON rows by `store`.

Byte fields (commitments, keys, f32 embeddings) are kept as lowercase hex so rows stay readable.
Every amount is an int of shannons.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import Field, asdict, dataclass, field, fields
from typing import Any, ClassVar, Self

import numpy as np


def f32_hex(values: Sequence[float] | np.ndarray) -> str:
    """Exact little-endian f32 bytes of `values`, as hex (the chain stores f32)."""
    return np.asarray(values, dtype="<f4").tobytes().hex()


def f32_values(hex_text: str) -> tuple[float, ...]:
    raw = bytes.fromhex(hex_text)
    return struct.unpack(f"<{len(raw) // 4}f", raw)


def f32_array(hex_text: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(hex_text), dtype="<f4").astype(np.float32)


class Record:
    """JSON round-trip for the dataclasses below."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]   # declared for mypy: every subclass is a dataclass

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Pool(Record):
    """A staking pool (§4.1); validators and models share it."""

    id: str
    soma_balance: int = 0
    rewards_pool: int = 0
    pool_token_balance: int = 0
    pending_stake: int = 0
    pending_total_soma_withdraw: int = 0
    pending_pool_token_withdraw: int = 0
    activation_epoch: int | None = None
    deactivation_epoch: int | None = None
    exchange_rates: dict[str, list[int]] = field(default_factory=dict)  # "epoch" -> [soma, tokens]

    @property
    def value(self) -> int:
        """Shannons this pool holds for supply accounting (withdrawals already paid out are owed)."""
        return self.soma_balance + self.pending_stake - self.pending_total_soma_withdraw


@dataclass
class Validator(Record):
    address: str
    name: str
    pool_id: str
    commission_rate: int
    next_commission_rate: int
    voting_power: int = 0


@dataclass
class Model(Record):
    """Model::V1 (§3.1). `state`: created | pending | active | inactive."""

    id: str
    owner: str
    state: str
    architecture_version: int
    pool_id: str
    commission_rate: int
    next_commission_rate: int
    create_epoch: int
    manifest: dict[str, Any] | None = None        # {url, checksum (hex), size}
    weights_commitment: str | None = None
    embedding_commitment: str | None = None
    decryption_key_commitment: str | None = None
    commit_epoch: int | None = None
    decryption_key: str | None = None
    embedding: str | None = None                  # f32 hex
    pending_update: dict[str, Any] | None = None  # manifest + three commitments + commit_epoch
    title: str | None = None


@dataclass
class Target(Record):
    """TargetV1 (§5.1). Stored `status`: open | filled (a claim deletes the row).

    The embedding is not stored: it is `arrgen.normal_array(seed, [dim])`, regenerated bit-exactly on
    read (8 bytes per target instead of 4×dim).
    """

    id: str
    seed: int
    dim: int
    model_ids: list[str]
    distance_threshold: float                      # an f32 value
    reward_pool: int
    generation_epoch: int
    status: str = "open"
    fill_epoch: int | None = None
    submitter: str | None = None
    winning_model_id: str | None = None
    winning_model_owner: str | None = None
    bond_amount: int = 0
    data_manifest: dict[str, Any] | None = None
    winning_embedding: str | None = None
    winning_distance: float | None = None
    winning_loss: list[float] | None = None


@dataclass
class System(Record):
    """Clock, mutable parameters, emission pool and target state (§9.1)."""

    epoch: int
    epoch_start_ms: int
    epoch_duration_ms: int
    embedding_dim: int
    emission_balance: int
    value_fee_bps: int
    distance_threshold: float
    reward_per_target: int
    targets_generated_this_epoch: int = 0
    hits_this_epoch: int = 0
    hits_ema: int = 0
    fees_epoch: int = 0        # Σ total_fee of this epoch, paid out at the next boundary
    burned: int = 0            # model slashes (credited nowhere on chain)
    tx_seq: int = 0            # source of synthetic digests
    warnings: list[str] = field(default_factory=list)
