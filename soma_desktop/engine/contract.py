"""The network's V1 data contract (scoring.md §2), in numpy only so callers need not import torch.

Chunk c covers bytes [1024c, min(1024c+1024, N)). Tokens are the bytes, then EOS (only in a short
final chunk), then PAD. Targets are the tokens shifted left with a final PAD. Positions are global
byte offsets; EOS and PAD slots get the clamped value 1024c + data_len.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from soma_desktop.engine.errors import DataError
from soma_desktop.protocol import limits

SEQ_LEN = 1024
BATCH_SIZE = 16
PAD = 256
EOS = 257
VOCAB_SIZE = 264
MAX_DATA_SIZE = limits.MAX_DATA_SIZE       # 1 MiB, the network's submission limit


@dataclass(frozen=True)
class Chunk:
    """One network sequence: token ids, next-token targets and global positions (int64, length 1024)."""

    index: int
    start: int
    data_len: int
    tokens: np.ndarray
    targets: np.ndarray
    positions: np.ndarray

    @property
    def batch_index(self) -> int:
        return self.index // BATCH_SIZE


def check_data(data: bytes) -> None:
    """Reject what the network rejects: empty data or more than 1 MiB."""
    if len(data) == 0:
        raise DataError("data is empty: the network cannot score an empty file")
    if len(data) > MAX_DATA_SIZE:
        raise DataError(f"data is {len(data)} bytes; the network accepts at most {MAX_DATA_SIZE} bytes (1 MiB)")


def num_chunks(size: int) -> int:
    return -(-size // SEQ_LEN)


def num_batches(size: int) -> int:
    return -(-num_chunks(size) // BATCH_SIZE)


def num_targets(size: int) -> int:
    """Predicted targets: 1023 per full chunk, d for a short final chunk of length d (d-1 bytes + EOS)."""
    return size - num_chunks(size) + (1 if size % SEQ_LEN else 0)


def make_chunk(data: bytes, index: int) -> Chunk:
    """Build chunk `index` of `data` exactly as the network's ByteSequenceDataset does."""
    size = len(data)
    start = index * SEQ_LEN
    data_len = min(SEQ_LEN, size - start)
    if data_len <= 0:
        raise IndexError(f"chunk {index} is past the end of {size} bytes")
    tokens = np.full(SEQ_LEN, PAD, dtype=np.int64)
    tokens[:data_len] = np.frombuffer(data, dtype=np.uint8, count=data_len, offset=start)
    if data_len < SEQ_LEN:  # only the final chunk can be short
        tokens[data_len] = EOS
    targets = np.empty(SEQ_LEN, dtype=np.int64)
    targets[:-1] = tokens[1:]
    targets[-1] = PAD
    positions = np.full(SEQ_LEN, start + data_len, dtype=np.int64)
    positions[:data_len] = np.arange(start, start + data_len, dtype=np.int64)
    return Chunk(index, start, data_len, tokens, targets, positions)


def predicted_offset_slots(chunk: Chunk) -> tuple[int, int]:
    """Slots [0, n) of `chunk` predict the bytes at offsets chunk.start+1 .. chunk.start+n (offset `size` = EOS)."""
    if chunk.data_len < SEQ_LEN:
        return chunk.start + 1, chunk.data_len
    return chunk.start + 1, SEQ_LEN - 1


def slot_for_offset(offset: int, size: int) -> tuple[int, int] | None:
    """(chunk index, slot) whose prediction is the byte at `offset` (or EOS at `size`); None if never predicted."""
    if offset <= 0 or offset > size:
        return None
    if offset % SEQ_LEN == 0:
        return None  # chunk starts have no context; offset == size here means no EOS
    return offset // SEQ_LEN, offset % SEQ_LEN - 1
