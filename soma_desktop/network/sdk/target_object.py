"""One target from `get_object(id)`: its contents are `object id (32) ‖ BCS(TargetV1)`.

soma-sdk has no GetTarget, and `list_targets` only filters by status, so finding one target meant paging through
every status with full embeddings. `get_object` returns the raw object; this module reads the BCS layout of
`TargetV1` (types/src/target.rs in soma-org/soma; ObjectData::new_with_id prepends the id, types/src/object.rs):

    embedding SomaTensor · model_ids Vec<ObjectID> · distance_threshold SomaTensor · reward_pool u64 ·
    generation_epoch u64 · status enum {Open, Filled{fill_epoch u64}, Claimed} · submitter Option<Address> ·
    winning_model_id Option<ObjectID> · winning_model_owner Option<Address> · bond_amount u64 ·
    winning_data_manifest Option<Manifest::V1{url String, Metadata::V1{checksum Bytes(32), size u64}}> ·
    winning_embedding, winning_distance_score, winning_loss_score Option<SomaTensor> ·
    submission_reports BTreeSet<Address>

SomaTensor = {dtype u8 (0 = f32), bytes Vec<u8> (f32 LE), shape Vec<u64>} (protocol-config/src/tensor.rs).
Addresses and object ids are 32 raw bytes; digests/checksums are length-prefixed bytes (serde Bytes).
Checked against our own encoder only, not yet against a live node.
"""

from __future__ import annotations

import struct
from typing import Any

from soma_desktop.network.types import Manifest, Target, TargetStatus

MAX_ELEMENTS = 1 << 20          # a target embedding has at most a few thousand values; refuse absurd lengths


class BcsReader:
    def __init__(self, data: bytes):
        self.data, self.pos = memoryview(data), 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("truncated target object")
        out = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def uleb(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.u8()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ValueError("bad ULEB128 length")

    def length(self) -> int:
        n = self.uleb()
        if n > MAX_ELEMENTS * 4:
            raise ValueError("implausible length in target object")
        return n

    def address(self) -> str:
        return "0x" + self.take(32).hex()

    def option(self, read: Any) -> Any:
        tag = self.u8()
        if tag not in (0, 1):
            raise ValueError("bad Option tag")
        return read() if tag else None

    def tensor(self) -> tuple[float, ...]:
        if self.u8() != 0:
            raise ValueError("unsupported tensor dtype")
        raw = self.take(self.length())
        for _ in range(self.length()):
            self.u64()                                   # shape: implied by the byte count for 1-D tensors
        if len(raw) % 4:
            raise ValueError("tensor bytes are not f32")
        return struct.unpack(f"<{len(raw) // 4}f", raw)

    def text(self) -> str:
        return self.take(self.length()).decode("utf-8")


def decode_target(object_id: str, contents: bytes, current_epoch: int) -> Target:
    """The Target in `contents` (object id ‖ BCS); the status is mapped like the RPC's virtual statuses."""
    reader = BcsReader(contents)
    if reader.address() != object_id:
        raise ValueError("the object's contents do not start with its id")
    embedding = reader.tensor()
    model_ids = tuple(reader.address() for _ in range(reader.length()))
    threshold = reader.tensor()
    reward_pool, generation_epoch = reader.u64(), reader.u64()
    tag = reader.uleb()
    if tag not in (0, 1, 2):
        raise ValueError("unknown target status")
    fill_epoch = reader.u64() if tag == 1 else None
    submitter = reader.option(reader.address)
    winning_model_id = reader.option(reader.address)
    winning_model_owner = reader.option(reader.address)
    bond = reader.u64()
    manifest = reader.option(lambda: _manifest(reader))
    reader.option(reader.tensor)                          # winning embedding
    distance = reader.option(reader.tensor)
    loss = reader.option(reader.tensor)
    for _ in range(reader.length()):
        reader.address()                                  # submission reports
    return Target(id=object_id, status=_status(tag, generation_epoch, fill_epoch, current_epoch),
                  embedding=embedding, model_ids=model_ids, distance_threshold=float(threshold[0]),
                  reward_pool=reward_pool, generation_epoch=generation_epoch, fill_epoch=fill_epoch,
                  submitter=submitter, winning_model_id=winning_model_id, winning_model_owner=winning_model_owner,
                  bond_amount=bond, winning_distance=float(distance[0]) if distance else None,
                  winning_loss=float(loss[0]) if loss else None, data_manifest=manifest)


def _manifest(reader: BcsReader) -> Manifest:
    if reader.uleb() != 0:
        raise ValueError("unknown manifest version")
    url = reader.text()
    if reader.uleb() != 0:
        raise ValueError("unknown metadata version")
    checksum = reader.take(reader.length())
    return Manifest(url, checksum, reader.u64())


def _status(tag: int, generation_epoch: int, fill_epoch: int | None, epoch: int) -> TargetStatus:
    if tag == 2:
        return TargetStatus.CLAIMED
    if tag == 1:
        return TargetStatus.CLAIMABLE if fill_epoch is not None and epoch > fill_epoch + 1 else TargetStatus.FILLED
    return TargetStatus.EXPIRED if generation_epoch < epoch else TargetStatus.OPEN
