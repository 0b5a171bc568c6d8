"""Durable persistence: atomic file writes and SQLite with the durability pragmas."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_output(path: Path | str, *, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A file handle whose content replaces `path` only if the block completes; readers never see a torn
    file and an exception (including a failed check inside the block) leaves the old file untouched.

    temp file in the same directory -> fsync -> os.replace -> fsync(directory).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write(path: Path | str, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to `path` so that readers see either the old or the new file, never a torn one."""
    with atomic_output(path, mode=mode) as handle:
        handle.write(data)


def atomic_write_text(path: Path | str, text: str, *, mode: int = 0o600) -> None:
    atomic_write(path, text.encode("utf-8"), mode=mode)


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def open_db(path: Path | str) -> sqlite3.Connection:
    """Open SQLite for data whose loss costs money: WAL, synchronous=FULL, foreign keys on.

    Autocommit mode (isolation_level=None): callers group writes with `transaction()`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic unit: BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# mkstemp(prefix=".<name>.", suffix=".tmp") adds 8 characters from [a-z0-9_].
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
STALE_TEMP_MIN_AGE_S = 5.0   # an atomic write of a settings or vault file lasts milliseconds


def clean_stale_temps(directory: Path | str, names: Iterable[str], *, min_age_s: float = STALE_TEMP_MIN_AGE_S,
                      now: float | None = None) -> list[Path]:
    """Remove the temp files `atomic_output` left in `directory` for the files `names` after a crash.

    Only the app's own naming pattern for those names, only regular files, and only files untouched for
    `min_age_s` (the caller holds the instance lock, so no other instance is writing; the age guards against
    a write in progress in this process). An old vault temp holds the key wrapped under an old password.
    """
    wanted = set(names)
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_RE.match(entry.name)
        if not match or match.group("name") not in wanted:
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= min_age_s:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    if removed:
        fsync_dir(Path(directory))
    return removed
