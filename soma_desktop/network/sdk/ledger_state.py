"""Decode a `GetEpochResponse` (system state, model registry inline) straight into our domain types.

Field numbers are the prost `tag = "N"` attributes of soma-org/soma at 0ed887ab (the soma-sdk 0.1.15 tree),
rpc/src/proto/generated/soma.rpc.rs, cited per message below as `rs L<line of the struct>`. The required/optional
rules and the per-state model fields follow the node's conversions in rpc/src/utils/rpc_proto_conversions.rs
(proto -> domain L906 SystemState, L1293 StakingPool, L1748 PendingModelUpdate, L1858 Model, L2245 Manifest), so
the values equal what network/sdk/decode.py makes of soma-sdk's answer. Verified against those generated tags and
a local HTTP/2 test server (tests/network/test_ledger_fallback.py), not against a live node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from soma_desktop.core.ids import normalize_id
from soma_desktop.network.sdk.wire import Message, WireError
from soma_desktop.network.types import (
    Manifest,
    ModelInfo,
    ModelState,
    PendingUpdate,
    PoolInfo,
    SystemState,
    Validator,
)

_T = TypeVar("_T")
_STATES = {"created": ModelState.CREATED, "pending": ModelState.PENDING, "active": ModelState.ACTIVE,
           "inactive": ModelState.INACTIVE}            # Model.state strings, rs L3623 (tag 14)


@dataclass(frozen=True)
class LedgerState:
    """What the adapter reads from one system-state answer."""

    system: SystemState
    models: list[ModelInfo]
    validators: list[Validator]


def _need(value: _T | None, what: str) -> _T:
    """A field the node always sends for this message; its absence means the answer is not what we think."""
    if value is None:
        raise WireError(f"missing {what}")
    return value


def _u(msg: Message, tag: int, what: str) -> int:
    return _need(msg.uint(tag), what)


def _sub(msg: Message, tag: int, what: str) -> Message:
    return _need(msg.message(tag), what)


def _text(msg: Message, tag: int, what: str) -> str:
    return _need(msg.string(tag), what)


def _digest(msg: Message, tag: int, what: str) -> bytes:
    value = msg.data(tag)
    if value is None or len(value) != 32:
        raise WireError(f"{what} must be 32 bytes")
    return value


# --- messages, innermost first ---------------------------------------------------------------------

def pool(msg: Message) -> PoolInfo:
    """StakingPool, rs L3582: id 1, activation_epoch 2, deactivation_epoch 3, soma_balance 4, rewards_pool 5,
    pool_token_balance 6, exchange_rates 7 (map<uint64, PoolTokenExchangeRate>), pending_stake 8."""
    rates: dict[int, tuple[int, int]] = {}
    for entry in msg.messages(7):                      # map entry: key 1, value 2
        rate = entry.message(2) or Message(b"")
        # PoolTokenExchangeRate, rs L3609: soma_amount 1, pool_token_amount 2
        rates[entry.uint(1) or 0] = (_u(rate, 1, "soma_amount"), _u(rate, 2, "pool_token_amount"))
    return PoolInfo(
        id=normalize_id(_text(msg, 1, "staking pool id")),
        soma_balance=_u(msg, 4, "soma_balance"),
        rewards_pool=_u(msg, 5, "rewards_pool"),
        pool_token_balance=_u(msg, 6, "pool_token_balance"),
        pending_stake=_u(msg, 8, "pending_stake"),
        activation_epoch=msg.uint(2),
        deactivation_epoch=msg.uint(3),
        exchange_rates=rates,
    )


def manifest(msg: Message) -> Manifest:
    """Manifest, rs L4061: oneof version { V1 = 1 }. ManifestV1, rs L4076: url 1, metadata 2.
    Metadata, rs L4036: oneof version { V1 = 1 }. MetadataV1, rs L4051: checksum 1 (32 bytes), size 2."""
    v1 = _sub(msg, 1, "manifest version")
    meta = _sub(_sub(v1, 2, "manifest metadata"), 1, "metadata version")
    return Manifest(url=_text(v1, 1, "manifest url"), checksum=_digest(meta, 1, "checksum"),
                    size=_u(meta, 2, "manifest size"))


def pending_update(msg: Message) -> PendingUpdate:
    """PendingModelUpdate, rs L4096: manifest 1, weights_commitment 2, embedding_commitment 3,
    decryption_key_commitment 4, commit_epoch 5."""
    return PendingUpdate(
        manifest=manifest(_sub(msg, 1, "update manifest")),
        weights_commitment=_digest(msg, 2, "weights_commitment"),
        embedding_commitment=_digest(msg, 3, "embedding_commitment"),
        decryption_key_commitment=_digest(msg, 4, "decryption_key_commitment"),
        commit_epoch=_u(msg, 5, "update commit_epoch"),
    )


def model(model_id: str, msg: Message) -> ModelInfo:
    """Model, rs L3623: owner 1, architecture_version 2, manifest 3, weights_commitment 4,
    embedding_commitment 5, decryption_key_commitment 6, commit_epoch 7, decryption_key 8, embedding 9
    (repeated float), staking_pool 10, commission_rate 11, next_epoch_commission_rate 12, pending_update 13,
    state 14, create_epoch 15. Which fields a state carries: rpc_proto_conversions.rs L1858-2022."""
    state_text = _text(msg, 14, "model state")
    state = _STATES.get(state_text)
    if state is None:
        raise WireError(f"unknown model state {state_text[:40]!r}")
    staking = pool(_sub(msg, 10, "model staking_pool"))
    committed = state is not ModelState.CREATED
    revealed = state in (ModelState.ACTIVE, ModelState.INACTIVE)
    update = msg.message(13) if state is ModelState.ACTIVE else None
    return ModelInfo(
        id=normalize_id(model_id),
        owner=normalize_id(_text(msg, 1, "model owner")),
        state=state,
        architecture_version=_u(msg, 2, "architecture_version"),
        commission_rate=_u(msg, 11, "commission_rate"),
        next_commission_rate=_u(msg, 12, "next_epoch_commission_rate"),
        create_epoch=_u(msg, 15, "create_epoch") if state is ModelState.CREATED else 0,
        stake=staking.soma_balance,
        pool=staking,
        manifest=manifest(_sub(msg, 3, "model manifest")) if committed else None,
        weights_commitment=_digest(msg, 4, "weights_commitment") if committed else None,
        embedding_commitment=_digest(msg, 5, "embedding_commitment") if committed else None,
        decryption_key_commitment=_digest(msg, 6, "decryption_key_commitment") if committed else None,
        commit_epoch=_u(msg, 7, "commit_epoch") if state is ModelState.PENDING else None,
        decryption_key=_digest(msg, 8, "decryption_key") if revealed else None,
        embedding=msg.floats(9) if revealed else None,
        pending_update=pending_update(update) if update is not None else None,
        deactivation_epoch=staking.deactivation_epoch if state is ModelState.INACTIVE else None,
    )


def models(registry: Message | None) -> list[ModelInfo]:
    """ModelRegistry, rs L3666: models 7 (map<string, Model>, key = model id). A missing registry is empty,
    as in the node's conversion (L931 `unwrap_or_default`)."""
    if registry is None:
        return []
    out = []
    for entry in registry.messages(7):
        out.append(model(_text(entry, 1, "model id"), entry.message(2) or Message(b"")))
    return out


def validator(msg: Message) -> Validator:
    """Validator, rs L3527: soma_address 1, voting_power 8, commission_rate 9, next_epoch_commission_rate 11,
    staking_pool 12. The name is the short address, as decode.validators makes it (soma-sdk has no name)."""
    address = normalize_id(_text(msg, 1, "validator soma_address"))
    return Validator(
        address=address,
        name=f"{address[:8]}…{address[-4:]}",
        voting_power=_u(msg, 8, "voting_power"),
        commission_rate=_u(msg, 9, "validator commission_rate"),
        next_commission_rate=_u(msg, 11, "validator next_epoch_commission_rate"),
        pool=pool(_sub(msg, 12, "validator staking_pool")),
    )


def system_state(msg: Message, chain: str) -> SystemState:
    """SystemState, rs L3366: epoch 1, epoch_start_timestamp_ms 2, protocol_version 3, parameters 4,
    emission_pool 7, model_registry 11, target_state 12.
    SystemParameters, rs L3418: epoch_duration_ms 1, model_min_stake 3, model_architecture_version 4, base_fee 8,
    write_object_fee 9, value_fee_bps 10, target_embedding_dim 15.
    EmissionPool, rs L3489: balance 1, emission_per_epoch 2.
    TargetState, rs L3692: distance_threshold 1 (float), targets_generated_this_epoch 2, hits_this_epoch 3,
    reward_per_target 5; a missing TargetState is the domain default of zeros (conversions L935)."""
    params = _sub(msg, 4, "parameters")
    emission = _sub(msg, 7, "emission_pool")
    targets = msg.message(12)
    threshold = 0.0
    if targets is not None:
        value = targets.float32(1)
        if value is None:
            raise WireError("missing distance_threshold")
        threshold = value
    return SystemState(
        chain=chain,
        epoch=_u(msg, 1, "epoch"),
        epoch_start_ms=_u(msg, 2, "epoch_start_timestamp_ms"),
        epoch_duration_ms=_u(params, 1, "epoch_duration_ms"),
        protocol_version=_u(msg, 3, "protocol_version"),
        architecture_version=_u(params, 4, "model_architecture_version"),
        target_embedding_dim=_u(params, 15, "target_embedding_dim"),
        model_min_stake=_u(params, 3, "model_min_stake"),
        value_fee_bps=_u(params, 10, "value_fee_bps"),
        base_fee=_u(params, 8, "base_fee"),
        write_object_fee=_u(params, 9, "write_object_fee"),
        emission_balance=_u(emission, 1, "emission balance"),
        emission_per_epoch=_u(emission, 2, "emission_per_epoch"),
        distance_threshold=threshold,
        reward_per_target=_u(targets, 5, "reward_per_target") if targets is not None else 0,
        hits_this_epoch=_u(targets, 3, "hits_this_epoch") if targets is not None else 0,
        targets_generated_this_epoch=_u(targets, 2, "targets_generated_this_epoch") if targets is not None else 0,
        timed_epochs=True,
    )


def decode_epoch_response(data: bytes | memoryview, chain: str) -> LedgerState:
    """GetEpochResponse, rs L1058: epoch 1. Epoch, rs L485: epoch 1, system_state 3.
    ValidatorSet, rs L3497 (SystemState.validators, tag 5): validators 2 (the active set)."""
    epoch = _sub(Message(data), 1, "epoch in the GetEpoch answer")
    state = _sub(epoch, 3, "system_state in the GetEpoch answer")
    validator_set = _sub(state, 5, "validators")
    return LedgerState(
        system=system_state(state, chain),
        models=models(state.message(11)),
        validators=[validator(v) for v in validator_set.messages(2)],
    )
