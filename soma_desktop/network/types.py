"""Plain dataclasses a Network returns. Every amount is an int of shannons; ids are `0x` + 64 hex."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SystemState:
    chain: str                    # "sandbox", "testnet", "localnet" or a custom name
    epoch: int
    epoch_start_ms: int
    epoch_duration_ms: int
    protocol_version: int
    architecture_version: int
    target_embedding_dim: int
    model_min_stake: int
    value_fee_bps: int
    base_fee: int
    write_object_fee: int
    emission_balance: int
    emission_per_epoch: int
    distance_threshold: float
    reward_per_target: int
    hits_this_epoch: int
    targets_generated_this_epoch: int
    timed_epochs: bool = True     # False: epochs only advance when someone asks (sandbox manual mode)

    @property
    def next_epoch_ms(self) -> int:
        """Estimated start of the next epoch (protocol.md §1.6)."""
        return self.epoch_start_ms + self.epoch_duration_ms


@dataclass(frozen=True)
class Coin:
    id: str
    owner: str
    balance: int


@dataclass(frozen=True)
class StakedSoma:
    id: str
    owner: str
    pool_id: str
    activation_epoch: int
    principal: int


@dataclass(frozen=True)
class PoolInfo:
    id: str
    soma_balance: int
    rewards_pool: int
    pool_token_balance: int
    pending_stake: int
    activation_epoch: int | None
    deactivation_epoch: int | None
    exchange_rates: dict[int, tuple[int, int]] = field(default_factory=dict)  # epoch -> (soma, tokens)


@dataclass(frozen=True)
class Validator:
    address: str
    name: str
    voting_power: int             # out of 10,000
    commission_rate: int          # bps
    next_commission_rate: int
    pool: PoolInfo


class ModelState(str, enum.Enum):
    CREATED = "created"
    PENDING = "pending"
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Manifest:
    url: str
    checksum: bytes               # Blake2b-256 of the encrypted bytes
    size: int


@dataclass(frozen=True)
class PendingUpdate:
    manifest: Manifest
    weights_commitment: bytes
    embedding_commitment: bytes
    decryption_key_commitment: bytes
    commit_epoch: int


@dataclass(frozen=True)
class ModelInfo:
    id: str
    owner: str
    state: ModelState
    architecture_version: int
    commission_rate: int
    next_commission_rate: int
    create_epoch: int
    stake: int                    # staking pool soma_balance
    pool: PoolInfo
    manifest: Manifest | None = None
    weights_commitment: bytes | None = None
    embedding_commitment: bytes | None = None
    decryption_key_commitment: bytes | None = None
    commit_epoch: int | None = None
    decryption_key: bytes | None = None
    embedding: tuple[float, ...] | None = None
    pending_update: PendingUpdate | None = None
    deactivation_epoch: int | None = None
    title: str | None = None      # sandbox demo models carry a human name


class TargetStatus(str, enum.Enum):
    OPEN = "open"
    FILLED = "filled"
    EXPIRED = "expired"           # virtual: Open with generation_epoch < current epoch
    CLAIMABLE = "claimable"       # virtual: expired, or Filled with current > fill_epoch + 1
    CLAIMED = "claimed"           # never stored on chain (claim deletes the target)


@dataclass(frozen=True)
class Target:
    id: str
    status: TargetStatus
    embedding: tuple[float, ...]
    model_ids: tuple[str, ...]
    distance_threshold: float
    reward_pool: int
    generation_epoch: int
    fill_epoch: int | None = None
    submitter: str | None = None
    winning_model_id: str | None = None
    winning_model_owner: str | None = None
    bond_amount: int = 0
    winning_distance: float | None = None
    winning_loss: float | None = None
    data_manifest: Manifest | None = None


@dataclass(frozen=True)
class TargetPage:
    targets: list[Target]
    next_page_token: str | None


@dataclass(frozen=True)
class TxResult:
    digest: str                   # Base58
    fee: int                      # shannons paid
    created: tuple[str, ...] = ()
    model_id: str | None = None   # CreateModel only
    epoch: int | None = None


@dataclass(frozen=True)
class CommitSpec:
    """Everything a commit needs. The chain sees only the manifest and commitments; the key and
    embedding travel along because soma-sdk's commit_model recomputes the commitments itself."""

    model_id: str
    manifest: Manifest
    encrypted_path: str           # local copy of the exact hosted ciphertext
    decryption_key: bytes         # 32 raw bytes, kept in memory only
    embedding_f32: bytes          # exact little-endian f32 bytes that will be revealed

    @property
    def embedding(self) -> tuple[float, ...]:
        import struct
        return struct.unpack(f"<{len(self.embedding_f32) // 4}f", self.embedding_f32)


@dataclass(frozen=True)
class SubmitSpec:
    target_id: str
    data_manifest: Manifest
    model_id: str
    embedding: tuple[float, ...]
    distance_score: float
    loss_score: tuple[float, ...]
    data_path: str | None = None  # the submitted bytes (<= 1 MiB); soma-sdk uploads them itself
