"""Child process for the crash tests: runs the publish wizard and SIGKILLs itself after event number N.

Events are every durable journal write and every chain side effect (tx executed, epoch advanced), so a kill
lands between "state written" and "side effect done" as well as between "side effect done" and "recorded".
Usage: crash_child.py ROOT WRAPPING_KEY_HEX PORT KILL_AT   (KILL_AT 0 = never; prints the event count)
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root: import tests.publish.*

from soma_desktop.publish.blob_server import BlobServer  # noqa: E402
from soma_desktop.publish.journal import Journal  # noqa: E402
from soma_desktop.publish.runner import PublishRunner  # noqa: E402
from tests.publish.publish_helpers import TestSigner, drive, open_test_sandbox  # noqa: E402

EVENTS = 0


def counted(fn, kill_at: int):
    def call(*args, **kwargs):
        global EVENTS
        result = fn(*args, **kwargs)
        EVENTS += 1
        if kill_at == EVENTS:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call


def acounted(fn, kill_at: int):
    async def call(*args, **kwargs):
        global EVENTS
        result = await fn(*args, **kwargs)
        EVENTS += 1
        if kill_at == EVENTS:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call


async def main(root: Path, wrapping_key: bytes, port: int, kill_at: int) -> None:
    for name in ("create_job", "transition", "store_secrets"):
        setattr(Journal, name, counted(getattr(Journal, name), kill_at))
    net = open_test_sandbox(root / "sandbox.db")
    for name in ("create_model", "commit_model", "reveal_model", "advance_epoch"):
        setattr(net, name, acounted(getattr(net, name), kill_at))
    journal = Journal(root / "publish.db", wrapping_key)
    with BlobServer(root / "blobs", port=port) as server:
        runner = PublishRunner(journal, net, TestSigner(), work_dir=root / "work", blob_server=server)
        job = runner.start_publish()
        await drive(runner, net, job.id, root / "model.safetensors")
    print(EVENTS)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
