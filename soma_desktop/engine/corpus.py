"""A model's domain corpus as the network would score it: files of a folder cut into ≤ 1 MiB pieces.

Torch-free. The worker reads the files itself (progress by file); at most 64 MiB and 4096 files in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from soma_desktop.engine.contract import MAX_DATA_SIZE

MAX_CORPUS_BYTES = 64 * 1024 * 1024
MAX_CORPUS_FILES = 4096


def corpus_files(folder: Path | str) -> list[tuple[Path, int]]:
    """(regular file, bytes it may still contribute) in name order, no hidden files, within the caps."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.is_file())[:MAX_CORPUS_FILES]
    out, total = [], 0
    for path in files:
        size = path.stat().st_size
        if size == 0 or total >= MAX_CORPUS_BYTES:
            continue
        out.append((path, MAX_CORPUS_BYTES - total))
        total += size
    if not out:
        raise ValueError(f"{folder.name} holds no data files")
    return out


def file_pieces(path: Path, limit: int) -> Iterator[bytes]:
    """The file's bytes in ≤ 1 MiB pieces, at most `limit` bytes."""
    with open(path, "rb") as handle:
        while limit > 0 and (piece := handle.read(min(MAX_DATA_SIZE, limit))):
            limit -= len(piece)
            yield piece
