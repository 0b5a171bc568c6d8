"""Plumbing for CommitModel through soma-sdk: file check, worker thread and the commit worker process.

See `adapter` for why: soma-sdk hashes the whole ciphertext with the GIL held, so the real call runs in
`commit_worker` (a child process) and the in-process fallback runs on a thread with a private event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from soma_desktop.core.crypto import hash_file
from soma_desktop.network.errors import InvalidInput, StatusUnknown

WORKER_START_S = 30.0                 # interpreter + soma-sdk import in the commit worker
WORKER_MIN_RATE = 20 * 1024 * 1024    # bytes/s the worker must at least read and hash


def run_in_private_loop(start: Callable[[], Awaitable[Any]], timeout: float) -> Any:
    """Run one SDK call on this worker thread's own event loop (soma-sdk clients work across loops)."""
    async def go() -> Any:
        return await asyncio.wait_for(_awaited(start), timeout)
    return asyncio.run(go())


async def _awaited(start: Callable[[], Awaitable[Any]]) -> Any:
    return await start()


def verify_file(path: Path, expected_size: int, expected_checksum: bytes) -> None:
    """Refuse a weights file that is not the exact ciphertext the manifest describes (streamed: GIL released)."""
    try:
        size = path.stat().st_size
        if size != expected_size:
            raise InvalidInput(f"The encrypted weights file is {size} bytes but the manifest says "
                               f"{expected_size}", field="encrypted_path")
        checksum, _ = hash_file(path)
    except OSError as exc:
        raise InvalidInput(f"Cannot read the encrypted weights file: {exc.strerror or exc}",
                           field="encrypted_path") from None
    if checksum != expected_checksum:
        raise InvalidInput("The encrypted weights file does not match the manifest checksum",
                           field="encrypted_path")


async def run_commit_worker(payload: bytes, budget_s: float) -> dict[str, Any]:
    """Run `commit_worker` with `payload` on stdin; its JSON reply, or StatusUnknown if it dies or overruns."""
    import soma_desktop

    env = dict(os.environ)
    root = str(Path(soma_desktop.__file__).resolve().parents[1])  # noqa: ASYNC240 — once, before the child
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "soma_desktop.network.sdk.commit_worker", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(payload), budget_s)
    except TimeoutError:
        await _stop(proc)
        raise StatusUnknown("The commit did not finish in time; it may still have been sent. "
                            "Re-check the model before trying again.") from None
    except BaseException:
        await _stop(proc)
        raise
    try:
        reply = json.loads(out)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise StatusUnknown(f"The commit worker stopped unexpectedly (exit code {proc.returncode}); the "
                            "commit may have been sent. Re-check the model before trying again.")
    return reply


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
        await proc.wait()
