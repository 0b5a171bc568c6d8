"""Reading the files the user drops (Qt-free; called off the GUI thread).

Every input ends as an `InputFile` that either carries the bytes to score or says, in one line, why it
cannot be scored. Files above the network's 1 MiB limit are read only up to the limit when the user
accepts to evaluate their first 1 MiB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from soma_desktop.core.regular_file import NotRegularFile, check_regular_file, read_regular
from soma_desktop.protocol.limits import MAX_DATA_SIZE

MAX_FOLDER_FILES = 200     # a dropped folder contributes at most this many files
BINARY_SAMPLE = 8192


@dataclass(frozen=True)
class InputFile:
    path: Path
    size: int                   # size on disk
    data: bytes = b""           # bytes to score (empty when not scorable)
    problem: str = ""           # why it cannot be scored; "" when `data` is ready
    too_large: bool = False     # above 1 MiB: the user may accept its first 1 MiB
    truncated: bool = False     # `data` holds only the first 1 MiB
    binary: bool = False        # not text: shown as hex by default

    @property
    def ready(self) -> bool:
        return bool(self.data) and not self.problem

    @property
    def label(self) -> str:
        return self.path.name + (" (first 1 MiB)" if self.truncated else "")


def looks_binary(data: bytes) -> bool:
    """NUL bytes, invalid UTF-8 or many control bytes in the first 8 KiB."""
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a sequence cut at the sample's end is fine
            return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls > len(sample) // 20


def read_input(path: Path, *, accept_truncation: bool = False) -> InputFile:
    """Read `path` for scoring; never raises for a bad file (the problem is described instead)."""
    try:
        size = check_regular_file(path).st_size  # pipes, devices, folders: reading could block or never end
        if size > MAX_DATA_SIZE and not accept_truncation:
            return InputFile(path, size, too_large=True,
                             problem=f"{size:,} bytes: the network scores at most 1 MiB ({MAX_DATA_SIZE:,} bytes) "
                                     "per submission")
        data = read_regular(path, MAX_DATA_SIZE + 1)
    except NotRegularFile as exc:
        return InputFile(path, 0, problem=f"is {exc.what}, not a regular file")
    except FileNotFoundError:
        return InputFile(path, 0, problem="file not found")
    except PermissionError:
        return InputFile(path, 0, problem="cannot be read: permission denied")
    except OSError as exc:
        return InputFile(path, 0, problem=f"cannot be read ({exc.strerror or type(exc).__name__})")
    if not data:
        return InputFile(path, 0, problem="is empty: the network cannot score an empty file")
    truncated = len(data) > MAX_DATA_SIZE
    data = data[:MAX_DATA_SIZE]
    return InputFile(path, max(size, len(data)), data=data, truncated=truncated, too_large=truncated,
                     binary=looks_binary(data))


def expand_paths(paths: list[Path], limit: int = MAX_FOLDER_FILES) -> tuple[list[Path], str]:
    """Files named directly plus the regular files inside dropped folders (sorted, hidden ones skipped)."""
    out: list[Path] = []
    note = ""
    for path in paths:
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
            if len(found) > limit:
                note = f"{path.name}: only the first {limit} of {len(found)} files were added"
            out += found[:limit]
        else:
            out.append(path)
    return out, note


def read_all(paths: list[Path], accept_truncation: bool) -> tuple[list[InputFile], str]:
    """Every file named or inside a dropped folder, read for scoring, and a note about skipped files. Blocks."""
    files, note = expand_paths(paths)
    return [read_input(p, accept_truncation=accept_truncation) for p in files], note
