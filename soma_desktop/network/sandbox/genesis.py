"""Sandbox genesis: supply allocation, the synthetic validator set, demo models and the first targets."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from soma_desktop.core import paths
from soma_desktop.core.crypto import blake2b256, embedding_commitment, hash_file, key_commitment, make_target_seed
from soma_desktop.network.sandbox import targets, validators
from soma_desktop.network.sandbox.params import (
    DEMO_ACCOUNT_COINS,
    FAUCET_RESERVE,
    GENESIS_MODEL_STAKE,
    GENESIS_VALIDATOR_COMMISSION_BPS,
    GENESIS_VALIDATOR_NAMES,
    GENESIS_VALIDATOR_STAKE,
    INITIAL_VALUE_FEE_BPS,
    MODEL_ARCHITECTURE_VERSION,
    TARGET_INITIAL_DISTANCE_THRESHOLD,
    TARGET_INITIAL_TARGETS_PER_EPOCH,
    TOTAL_SUPPLY,
)
from soma_desktop.network.sandbox.records import Model, Pool, System, Validator, f32_hex
from soma_desktop.network.sandbox.store import StakedRow, Store
from soma_desktop.protocol.distance import f32
from soma_desktop.protocol.targets import genesis_reward_per_target

SANDBOX_DEMO_MNEMONIC = ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                         "abandon about")
SANDBOX_DEMO_ADDRESS = "0x5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1"
ZERO_DIGEST = bytes(32)
ZERO_KEY = bytes(32)


def _tagged_address(tag: str) -> str:
    return "0x" + blake2b256(b"soma-sandbox:" + tag.encode()).hex()


FAUCET_ADDRESS = _tagged_address("faucet")
DEMO_PUBLISHER_ADDRESS = _tagged_address("demo-model-publisher")


def validator_address(name: str) -> str:
    return _tagged_address("validator:" + name)


def resources_dir() -> Path:
    return paths.resources_dir()


@dataclass(frozen=True)
class DemoModel:
    name: str
    title: str
    embedding: np.ndarray
    manifest: dict[str, Any]


def load_demo_models(dim: int, resources: Path | None = None) -> tuple[list[DemoModel], str]:
    """Demo models from resources/models/demo_models.json; deterministic ones when it is absent or its
    embedding dimension differs from the sandbox's. Returns (models, where they came from)."""
    resources = resources or resources_dir()
    path = resources / "models" / "demo_models.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data["architecture"]["embedding_dim"]) == dim:
            return [_from_json(entry, dim, resources) for entry in data["models"]], str(path)
        reason = f"{path.name} has dimension {data['architecture']['embedding_dim']}, the sandbox uses {dim}"
    except FileNotFoundError:
        reason = f"{path.name} not found"
    except (ValueError, KeyError, TypeError) as err:
        reason = f"{path.name} unreadable ({type(err).__name__})"
    return _deterministic_models(dim), f"deterministic demo embeddings: {reason}"


def _from_json(entry: dict[str, Any], dim: int, resources: Path) -> DemoModel:
    embedding = np.asarray(entry["embedding"], dtype=np.float32)
    if embedding.shape != (dim,) or not np.all(np.isfinite(embedding)):
        raise ValueError("bad demo embedding")
    weights = resources / "models" / str(entry["weights"])
    if weights.is_file():
        checksum, size = hash_file(weights)     # genesis precedent: the plaintext file's hash (§1.4)
    else:
        checksum, size = bytes.fromhex(str(entry["blake2b256_hex"])), 0
    manifest = {"url": f"resource://models/{entry['weights']}", "checksum": checksum.hex(), "size": size}
    return DemoModel(str(entry["name"]), str(entry.get("title") or entry["name"]), embedding, manifest)


def _deterministic_models(dim: int) -> list[DemoModel]:
    out = []
    for i, (name, title) in enumerate((("demo-a", "Demo model A"), ("demo-b", "Demo model B"),
                                       ("demo-c", "Demo model C"))):
        seed = make_target_seed(blake2b256(b"soma-sandbox-demo-model"), i)
        embedding = targets.target_embedding(seed, dim)
        manifest = {"url": f"sandbox://demo-models/{name}", "checksum": blake2b256(b"").hex(), "size": 0}
        out.append(DemoModel(name, title, embedding, manifest))
    return out


class GenesisIds:
    """`Blake2b-256("soma-genesis-object-id" ‖ u64_le(counter))` (§1.3)."""

    def __init__(self) -> None:
        self.counter = 0

    def next(self) -> str:
        out = blake2b256(b"soma-genesis-object-id" + struct.pack("<Q", self.counter))
        self.counter += 1
        return "0x" + out.hex()


def build_genesis(store: Store, *, embedding_dim: int, epoch_duration_ms: int, now_ms: int,
                  resources: Path | None = None) -> str:
    """Write the genesis state into an empty store. Returns a note on where the demo models came from."""
    ids = GenesisIds()
    allocated = 0
    for amount in DEMO_ACCOUNT_COINS:
        store.put_coin(ids.next(), SANDBOX_DEMO_ADDRESS, amount)
        allocated += amount
    store.put_coin(ids.next(), FAUCET_ADDRESS, FAUCET_RESERVE)
    allocated += FAUCET_RESERVE
    for order, name in enumerate(GENESIS_VALIDATOR_NAMES):
        address = validator_address(name)
        pool = Pool(id=ids.next(), soma_balance=GENESIS_VALIDATOR_STAKE, pool_token_balance=GENESIS_VALIDATOR_STAKE,
                    activation_epoch=0, exchange_rates={"0": [GENESIS_VALIDATOR_STAKE, GENESIS_VALIDATOR_STAKE]})
        store.put_pool(pool)
        store.put_staked(StakedRow(ids.next(), address, pool.id, 0, GENESIS_VALIDATOR_STAKE))
        store.put_validator(Validator(address, name, pool.id, GENESIS_VALIDATOR_COMMISSION_BPS,
                                      GENESIS_VALIDATOR_COMMISSION_BPS), order)
        allocated += GENESIS_VALIDATOR_STAKE
    validators.set_voting_power(store)

    system = System(epoch=0, epoch_start_ms=now_ms, epoch_duration_ms=epoch_duration_ms,
                    embedding_dim=embedding_dim, emission_balance=TOTAL_SUPPLY - allocated,
                    value_fee_bps=INITIAL_VALUE_FEE_BPS,
                    distance_threshold=f32(TARGET_INITIAL_DISTANCE_THRESHOLD),
                    reward_per_target=genesis_reward_per_target())
    demo, source = load_demo_models(embedding_dim, resources)
    for entry in demo:
        _genesis_model(store, system, ids, entry)
    candidates = targets.active_models(store)
    for i in range(TARGET_INITIAL_TARGETS_PER_EPOCH):
        if not candidates or not targets.can_fund(system):
            break
        targets.spawn_target(store, system, ids.next(), make_target_seed(ZERO_DIGEST, i), candidates)
    store.put_system(system)
    return source


def _genesis_model(store: Store, system: System, ids: GenesisIds, entry: DemoModel) -> None:
    """Active at genesis, activation_epoch 0, stake taken from the emission pool (§3.7)."""
    model_id = ids.next()
    pool_id = "0x" + blake2b256(b"soma-genesis-model-staking-pool" + bytes.fromhex(model_id[2:])).hex()
    pool = Pool(id=pool_id, soma_balance=GENESIS_MODEL_STAKE, pool_token_balance=GENESIS_MODEL_STAKE,
                activation_epoch=0, exchange_rates={"0": [GENESIS_MODEL_STAKE, GENESIS_MODEL_STAKE]})
    system.emission_balance -= GENESIS_MODEL_STAKE
    values = entry.embedding.tolist()
    model = Model(id=model_id, owner=DEMO_PUBLISHER_ADDRESS, state="active",
                  architecture_version=MODEL_ARCHITECTURE_VERSION, pool_id=pool_id, commission_rate=0,
                  next_commission_rate=0, create_epoch=0, manifest=entry.manifest,
                  weights_commitment=entry.manifest["checksum"],
                  embedding_commitment=embedding_commitment(values).hex(),
                  decryption_key_commitment=key_commitment(ZERO_KEY).hex(), commit_epoch=0,
                  decryption_key=ZERO_KEY.hex(), embedding=f32_hex(entry.embedding), title=entry.title)
    store.put_pool(pool)
    store.put_model(model)
