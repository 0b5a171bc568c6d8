"""Decode soma-sdk's pythonized results (SimpleNamespace trees, sdk.md §2) into our dataclasses.

The SDK serialises Rust structs with serde: enums are externally tagged (`{"V1": {"Active": {...}}}`), maps with
string keys become SimpleNamespaces with hex-named attributes, digests are Base58 text and SomaTensors are
`{dtype, bytes: [u8 ...], shape}`. Every accessor here accepts a namespace or a dict so that a shape change in
a later SDK fails loudly in one place (ValueError) instead of deep inside the UI.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

from soma_desktop.core.crypto import b58decode
from soma_desktop.core.ids import normalize_id
from soma_desktop.network.sdk.amounts import coin_balance, staked_fields
from soma_desktop.network.types import (
    Coin,
    Manifest,
    ModelInfo,
    ModelState,
    PendingUpdate,
    PoolInfo,
    StakedSoma,
    SystemState,
    Target,
    TargetStatus,
    TxResult,
    Validator,
)

_MISSING = object()
_STATES = {"Created": ModelState.CREATED, "Pending": ModelState.PENDING, "Active": ModelState.ACTIVE,
           "Inactive": ModelState.INACTIVE}
_TARGET_STATUS = {s.value: s for s in TargetStatus}


# --- generic access --------------------------------------------------------------------------

def get(obj: Any, name: str, default: Any = _MISSING) -> Any:
    value = obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)
    if value is _MISSING:
        raise ValueError(f"soma-sdk result has no field {name!r}")
    return value


def entries(obj: Any) -> list[tuple[Any, Any]]:
    """Items of a map the SDK returned either as a dict (non-string keys) or a SimpleNamespace."""
    if obj is None:
        return []
    if isinstance(obj, dict):
        return list(obj.items())
    return list(vars(obj).items())


def variant(obj: Any) -> tuple[str, Any]:
    """(tag, payload) of a serde externally tagged enum value; unit variants are plain strings."""
    if isinstance(obj, str):
        return obj, None
    items = entries(obj)
    if len(items) != 1:
        raise ValueError(f"expected one enum variant, got {[k for k, _ in items]}")
    return str(items[0][0]), items[0][1]


def unwrap_versioned(obj: Any) -> Any:
    """Strip a `V1` envelope if present (effects, models, manifests)."""
    if not isinstance(obj, str):
        items = entries(obj)
        if len(items) == 1 and str(items[0][0]).startswith("V") and str(items[0][0])[1:].isdigit():
            return items[0][1]
    return obj


def raw_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return bytes(value)
    raise ValueError(f"expected bytes, got {type(value).__name__}")


def digest_bytes(value: Any) -> bytes:
    """A 32-byte digest/commitment/key, serialised as Base58 text (human-readable serde) or a byte list."""
    data = b58decode(value) if isinstance(value, str) else raw_bytes(value)
    if len(data) != 32:
        raise ValueError(f"expected a 32-byte digest, got {len(data)} bytes")
    return data


def tensor_values(value: Any) -> tuple[float, ...]:
    """SomaTensor `{dtype: 0, bytes: [f32 LE ...], shape}` -> floats; plain float lists pass through."""
    if isinstance(value, (list, tuple)) and (not value or isinstance(value[0], float)):
        return tuple(float(v) for v in value)
    dtype = get(value, "dtype", 0)
    if dtype not in (0, "F32", "f32"):
        raise ValueError(f"unsupported SomaTensor dtype {dtype!r}")
    data = raw_bytes(get(value, "bytes"))
    if len(data) % 4:
        raise ValueError("SomaTensor byte length is not a multiple of 4")
    return struct.unpack(f"<{len(data) // 4}f", data)


def scalar(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    values = tensor_values(value)
    if len(values) != 1:
        raise ValueError("expected a scalar SomaTensor")
    return values[0]


def opt_id(value: Any) -> str | None:
    return normalize_id(value) if value else None


# --- system state ----------------------------------------------------------------------------

def system_state(state: Any, chain: str) -> SystemState:
    params, targets, emission = get(state, "parameters"), get(state, "target_state"), get(state, "emission_pool")
    return SystemState(
        chain=chain,
        epoch=int(get(state, "epoch")),
        epoch_start_ms=int(get(state, "epoch_start_timestamp_ms")),
        epoch_duration_ms=int(get(params, "epoch_duration_ms")),
        protocol_version=int(get(state, "protocol_version")),
        architecture_version=int(get(params, "model_architecture_version")),
        target_embedding_dim=int(get(params, "target_embedding_dim")),
        model_min_stake=int(get(params, "model_min_stake")),
        value_fee_bps=int(get(params, "value_fee_bps")),
        base_fee=int(get(params, "base_fee")),
        write_object_fee=int(get(params, "write_object_fee")),
        emission_balance=int(get(emission, "balance")),
        emission_per_epoch=int(get(emission, "emission_per_epoch")),
        distance_threshold=scalar(get(targets, "distance_threshold")),
        reward_per_target=int(get(targets, "reward_per_target")),
        hits_this_epoch=int(get(targets, "hits_this_epoch")),
        targets_generated_this_epoch=int(get(targets, "targets_generated_this_epoch")),
        timed_epochs=True,
    )


def pool(obj: Any) -> PoolInfo:
    rates: dict[int, tuple[int, int]] = {}
    for epoch, rate in entries(get(obj, "exchange_rates", None)):
        rates[int(epoch)] = (int(get(rate, "soma_amount")), int(get(rate, "pool_token_amount")))
    activation, deactivation = get(obj, "activation_epoch", None), get(obj, "deactivation_epoch", None)
    return PoolInfo(
        id=normalize_id(get(obj, "id")),
        soma_balance=int(get(obj, "soma_balance")),
        rewards_pool=int(get(obj, "rewards_pool")),
        pool_token_balance=int(get(obj, "pool_token_balance")),
        pending_stake=int(get(obj, "pending_stake")),
        activation_epoch=None if activation is None else int(activation),
        deactivation_epoch=None if deactivation is None else int(deactivation),
        exchange_rates=rates,
    )


def validators(state: Any) -> list[Validator]:
    """Active validators. soma-sdk exposes no validator name, so the short address stands in."""
    out = []
    for item in get(get(state, "validators"), "validators"):
        meta = get(item, "metadata")
        address = normalize_id(get(meta, "soma_address"))
        out.append(Validator(
            address=address,
            name=f"{address[:8]}…{address[-4:]}",
            voting_power=int(get(item, "voting_power")),
            commission_rate=int(get(item, "commission_rate")),
            next_commission_rate=int(get(item, "next_epoch_commission_rate")),
            pool=pool(get(item, "staking_pool")),
        ))
    return out


# --- models ----------------------------------------------------------------------------------

def manifest(obj: Any) -> Manifest:
    inner = unwrap_versioned(obj)
    meta = unwrap_versioned(get(inner, "metadata"))
    return Manifest(url=str(get(inner, "url")), checksum=digest_bytes(get(meta, "checksum")),
                    size=int(get(meta, "size")))


def pending_update(obj: Any) -> PendingUpdate | None:
    if obj is None:
        return None
    return PendingUpdate(
        manifest=manifest(get(obj, "manifest")),
        weights_commitment=digest_bytes(get(obj, "weights_commitment")),
        embedding_commitment=digest_bytes(get(obj, "embedding_commitment")),
        decryption_key_commitment=digest_bytes(get(obj, "decryption_key_commitment")),
        commit_epoch=int(get(obj, "commit_epoch")),
    )


def model(model_id: str, obj: Any) -> ModelInfo:
    """One registry entry `{"V1": {<State>: {...}}}` (protocol.md §3.1)."""
    tag, body = variant(unwrap_versioned(obj))
    if tag not in _STATES:
        raise ValueError(f"unknown model state {tag!r}")
    staking = pool(get(body, "staking_pool"))
    has_manifest = tag != "Created"
    commit_epoch = get(body, "commit_epoch", None)
    update = pending_update(get(body, "pending_update", None))
    key = get(body, "decryption_key", None)
    embedding = get(body, "embedding", None)
    return ModelInfo(
        id=normalize_id(model_id),
        owner=normalize_id(get(body, "owner")),
        state=_STATES[tag],
        architecture_version=int(get(body, "architecture_version")),
        commission_rate=int(get(body, "commission_rate")),
        next_commission_rate=int(get(body, "next_epoch_commission_rate")),
        create_epoch=int(get(body, "create_epoch", 0)),   # only Created carries it on chain
        stake=staking.soma_balance,
        pool=staking,
        manifest=manifest(get(body, "manifest")) if has_manifest else None,
        weights_commitment=digest_bytes(get(body, "weights_commitment")) if has_manifest else None,
        embedding_commitment=digest_bytes(get(body, "embedding_commitment")) if has_manifest else None,
        decryption_key_commitment=digest_bytes(get(body, "decryption_key_commitment")) if has_manifest else None,
        commit_epoch=None if commit_epoch is None else int(commit_epoch),
        decryption_key=None if key is None else digest_bytes(key),
        embedding=None if embedding is None else tensor_values(embedding),
        pending_update=update,
        deactivation_epoch=staking.deactivation_epoch if tag == "Inactive" else None,
    )


def models(state: Any) -> list[ModelInfo]:
    registry = get(state, "model_registry")
    return [model(str(model_id), body) for model_id, body in entries(get(registry, "models", None))]


# --- owned objects ---------------------------------------------------------------------------

def _owner(obj: Any) -> str:
    owner = get(obj, "owner")
    if isinstance(owner, str):
        return normalize_id(owner)
    tag, value = variant(owner)
    if tag != "AddressOwner":
        raise ValueError(f"object is not address-owned ({tag})")
    return normalize_id(value)


def _contents(obj: Any) -> bytes:
    return raw_bytes(get(get(obj, "data"), "contents"))


def coins(objects: Iterable[Any]) -> list[Coin]:
    return [Coin(id=normalize_id(get(o, "id")), owner=_owner(o), balance=coin_balance(_contents(o)))
            for o in objects]


def staked(objects: Iterable[Any]) -> list[StakedSoma]:
    out = []
    for o in objects:
        pool_id, activation, principal = staked_fields(_contents(o))
        out.append(StakedSoma(id=normalize_id(get(o, "id")), owner=_owner(o), pool_id=pool_id,
                              activation_epoch=activation, principal=principal))
    return out


# --- targets ---------------------------------------------------------------------------------

def target_status(text: str, *, filled: bool) -> TargetStatus:
    """Server status text -> ours. The RPC labels an expired (never filled) target "claimable"; it is both,
    and our model calls it EXPIRED (TargetStatus docs), so map it back using whether it has a submitter."""
    status = _TARGET_STATUS.get(str(text).lower())
    if status is None:
        raise ValueError(f"unknown target status {text!r}")
    if status is TargetStatus.CLAIMABLE and not filled:
        return TargetStatus.EXPIRED
    return status


def target(obj: Any) -> Target:
    submitter = opt_id(get(obj, "submitter", None))
    return Target(
        id=normalize_id(get(obj, "id")),
        status=target_status(get(obj, "status"), filled=submitter is not None),
        embedding=tuple(float(v) for v in get(obj, "embedding")),
        model_ids=tuple(normalize_id(m) for m in get(obj, "model_ids")),
        distance_threshold=float(get(obj, "distance_threshold")),
        reward_pool=int(get(obj, "reward_pool")),
        generation_epoch=int(get(obj, "generation_epoch")),
        fill_epoch=None,                     # not exposed by soma-sdk 0.1.15 (sdk.md §6)
        submitter=submitter,
        winning_model_id=opt_id(get(obj, "winning_model_id", None)),
        bond_amount=int(get(obj, "bond_amount", 0) or 0),
    )


# --- transaction effects ---------------------------------------------------------------------

def effects(obj: Any) -> TxResult:
    """TransactionEffects `{"V1": {status, executed_epoch, transaction_fee, transaction_digest, changed_objects}}`."""
    body = unwrap_versioned(obj)
    fee = get(body, "transaction_fee", None)
    created = []
    for change in get(body, "changed_objects", None) or []:
        object_id, detail = change[0], change[1]
        if str(get(detail, "id_operation", "")) == "Created":
            created.append(normalize_id(object_id))
    epoch = get(body, "executed_epoch", None)
    return TxResult(
        digest=str(get(body, "transaction_digest")),
        fee=int(get(fee, "total_fee")) if fee is not None else 0,
        created=tuple(created),
        epoch=None if epoch is None else int(epoch),
    )


def execution_failure(obj: Any) -> str | None:
    """The failure name if effects report one (the SDK normally raises instead; belt and braces)."""
    status = get(unwrap_versioned(obj), "status", "Success")
    tag, payload = variant(status)
    if tag == "Success":
        return None
    error = get(payload, "error", "ExecutionFailure") if payload is not None else "ExecutionFailure"
    return variant(error)[0] if not isinstance(error, str) else error
