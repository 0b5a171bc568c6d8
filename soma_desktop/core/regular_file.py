"""Untrusted input paths must be regular files: a device (/dev/zero) reads forever and reports size 0, a FIFO
blocks on open or read, a folder cannot be read. One check, used by every place that reads user-named inputs.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class NotRegularFile(OSError):
    """The path exists but is not a regular file; the message is fit for the user, `what` names the kind."""

    def __init__(self, path: Path, what: str):
        super().__init__(f"{path} is {what}, not a regular file")
        self.path, self.what = path, what

    def __str__(self) -> str:
        return str(self.args[0])


def kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refuse(path: Path, mode: int) -> NotRegularFile:
    return NotRegularFile(path, kind_of(mode))


def check_regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """stat() `path` (following links) and refuse anything but a regular file. FileNotFoundError passes through."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(Path(path), info.st_mode)
    return info


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open `path` for reading without ever blocking on a FIFO, then confirm on the open descriptor (no
    check-then-open race) that it is a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if os.path.isdir(path):
        raise NotRegularFile(Path(path), "a folder")
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refuse(Path(path), mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most `limit` bytes of a regular file (callers pass cap + 1 to detect oversize files)."""
    with open_regular(path) as handle:
        return handle.read(limit)
