"""Test-side protobuf writer for soma's GetEpochResponse, independent of the app's codec (network/sdk/wire.py).

Written from the prost tags of soma-org/soma at 0ed887ab, rpc/src/proto/generated/soma.rpc.rs (struct lines in
the comments), and the node's domain -> proto conversions in rpc/src/utils/rpc_proto_conversions.rs (which fields
each model state sets, L1786-1856). It writes fields the app ignores too (public keys, report records, the other
system parameters), so the reader is tested against a whole answer, not just the fields it reads.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from soma_desktop.network import types as t


def varint(n: int) -> bytes:
    assert 0 <= n < 1 << 64, n
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if n:
            out += bytes([low | 0x80])
        else:
            return out + bytes([low])


def _key(tag: int, wire_type: int) -> bytes:
    return varint((tag << 3) | wire_type)


def u64(tag: int, value: int | None) -> bytes:
    return b"" if value is None else _key(tag, 0) + varint(value)


def boolean(tag: int, value: bool) -> bytes:
    return _key(tag, 0) + varint(int(value))


def blob(tag: int, value: bytes | None) -> bytes:
    return b"" if value is None else _key(tag, 2) + varint(len(value)) + value


def text(tag: int, value: str | None) -> bytes:
    return b"" if value is None else blob(tag, value.encode())


def sub(tag: int, body: bytes | None) -> bytes:
    return blob(tag, body)


def f32(tag: int, value: float) -> bytes:
    return _key(tag, 5) + struct.pack("<f", value)


def packed_f32(tag: int, values: Sequence[float]) -> bytes:
    return blob(tag, struct.pack(f"<{len(values)}f", *values)) if values else b""


def map_entries(tag: int, entries: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A protobuf map: one entry message per item, key field 1, value field 2 (already encoded)."""
    return b"".join(sub(tag, key + value) for key, value in entries)


# --- soma.rpc messages --------------------------------------------------------------------------------

def pool(p: t.PoolInfo) -> bytes:
    # StakingPool (rs L3582)
    rates = map_entries(7, ((u64(1, epoch), sub(2, u64(1, soma) + u64(2, tokens)))
                            for epoch, (soma, tokens) in sorted(p.exchange_rates.items())))
    return (text(1, p.id) + u64(2, p.activation_epoch) + u64(3, p.deactivation_epoch) + u64(4, p.soma_balance)
            + u64(5, p.rewards_pool) + u64(6, p.pool_token_balance) + rates + u64(8, p.pending_stake)
            + u64(9, 0) + u64(10, 0))


def manifest(m: t.Manifest) -> bytes:
    # Manifest (rs L4061) { V1 = 1 }: ManifestV1 (L4076) url 1, metadata 2: Metadata (L4036) { V1 = 1 }:
    # MetadataV1 (L4051) checksum 1, size 2
    return sub(1, text(1, m.url) + sub(2, sub(1, blob(1, m.checksum) + u64(2, m.size))))


def model(m: t.ModelInfo) -> bytes:
    # Model (rs L3623); per-state fields as the node's `TryFrom<types::model::Model> for Model` sets them
    body = (text(1, m.owner) + u64(2, m.architecture_version) + sub(10, pool(m.pool)) + u64(11, m.commission_rate)
            + u64(12, m.next_commission_rate) + text(14, m.state.value))
    if m.state is t.ModelState.CREATED:
        return body + u64(15, m.create_epoch)
    assert m.manifest and m.weights_commitment and m.embedding_commitment and m.decryption_key_commitment
    body += (sub(3, manifest(m.manifest)) + blob(4, m.weights_commitment) + blob(5, m.embedding_commitment)
             + blob(6, m.decryption_key_commitment))
    if m.state is t.ModelState.PENDING:
        return body + u64(7, m.commit_epoch)
    assert m.decryption_key is not None and m.embedding is not None
    body += blob(8, m.decryption_key) + packed_f32(9, m.embedding)
    update = m.pending_update
    if m.state is t.ModelState.ACTIVE and update is not None:
        # PendingModelUpdate (rs L4096)
        body += sub(13, sub(1, manifest(update.manifest)) + blob(2, update.weights_commitment)
                    + blob(3, update.embedding_commitment) + blob(4, update.decryption_key_commitment)
                    + u64(5, update.commit_epoch))
    return body


def validator(v: t.Validator) -> bytes:
    # Validator (rs L3527), with the key and address fields the app does not read
    return (text(1, v.address) + blob(2, b"\x01" * 96) + blob(3, b"\x02" * 32) + blob(4, b"\x03" * 32)
            + text(5, "/dns/localhost/tcp/8080/http") + text(6, "/dns/localhost/tcp/8081/http")
            + text(7, "/dns/localhost/tcp/8082/http") + u64(8, v.voting_power) + u64(9, v.commission_rate)
            + u64(10, v.pool.soma_balance) + u64(11, v.next_commission_rate) + sub(12, pool(v.pool))
            + text(19, "") + blob(21, b"\x04" * 48))


def parameters(s: t.SystemState) -> bytes:
    # SystemParameters (rs L3418): every field, the ones the app reads at their tags 1, 3, 4, 8, 9, 10, 15
    return (u64(1, s.epoch_duration_ms) + u64(2, 2_000) + u64(3, s.model_min_stake) + u64(4, s.architecture_version)
            + u64(5, 1_000) + u64(6, 500) + u64(7, 7) + u64(8, s.base_fee) + u64(9, s.write_object_fee)
            + u64(10, s.value_fee_bps) + u64(11, 1) + u64(12, 100) + u64(13, 50) + u64(14, 3)
            + u64(15, s.target_embedding_dim) + f32(16, 0.5) + u64(17, 5_000) + u64(18, 16) + u64(19, 9_000)
            + u64(20, 500) + f32(21, 1.5) + f32(22, 0.01) + u64(23, 16) + u64(24, 5_000) + u64(25, 4_000)
            + u64(26, 100) + u64(27, 10) + u64(30, 1 << 20))


def system_state(s: t.SystemState, validators: Sequence[t.Validator], models: Sequence[t.ModelInfo]) -> bytes:
    # SystemState (rs L3366)
    validator_set = (u64(1, sum(v.pool.soma_balance for v in validators))
                     + b"".join(sub(2, validator(v)) for v in validators)
                     + map_entries(5, ((text(1, v.pool.id), text(2, v.address)) for v in validators)))
    registry = (map_entries(3, ((text(1, m.pool.id), text(2, m.id)) for m in models))
                + u64(5, sum(m.stake for m in models if m.state is t.ModelState.ACTIVE))
                + map_entries(7, ((text(1, m.id), sub(2, model(m))) for m in sorted(models, key=lambda m: m.id))))
    target_state = (f32(1, s.distance_threshold) + u64(2, s.targets_generated_this_epoch)
                    + u64(3, s.hits_this_epoch) + u64(4, 0) + u64(5, s.reward_per_target))
    reporters = map_entries(6, [(text(1, validators[0].address), sub(2, text(1, validators[-1].address)))]
                            if validators else [])
    return (u64(1, s.epoch) + u64(2, s.epoch_start_ms) + u64(3, s.protocol_version) + sub(4, parameters(s))
            + sub(5, validator_set) + reporters + sub(7, u64(1, s.emission_balance) + u64(2, s.emission_per_epoch))
            + sub(11, registry) + sub(12, target_state) + boolean(14, False) + u64(15, 0) + u64(16, 0))


def get_epoch_response(s: t.SystemState, validators: Sequence[t.Validator], models: Sequence[t.ModelInfo]) -> bytes:
    # GetEpochResponse (rs L1058) epoch 1: Epoch (rs L485) epoch 1, system_state 3
    return sub(1, u64(1, s.epoch) + sub(3, system_state(s, validators, models)))


def read_mask_paths(request: bytes) -> tuple[int | None, list[str]]:
    """(epoch, read_mask paths) of a GetEpochRequest (rs L1046), parsed by hand for the server's checks."""
    pos, epoch, paths = 0, None, []

    def read_varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = request[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while pos < len(request):
        key = read_varint()
        if key == (1 << 3):
            epoch = read_varint()
        elif key == (2 << 3 | 2):
            size = read_varint()
            mask, pos = request[pos:pos + size], pos + size
            i = 0
            while i < len(mask):
                assert mask[i] == (1 << 3 | 2)
                length = mask[i + 1]
                paths.append(mask[i + 2:i + 2 + length].decode())
                i += 2 + length
        else:
            raise AssertionError(f"unexpected request field key {key}")
    return epoch, paths
