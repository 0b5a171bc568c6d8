"""Crash tests: the publishing process is SIGKILLed after each journal write and each chain side effect.

After every kill the app is rebuilt from disk (journal + sandbox), reconciled and driven to the end. The chain
must then hold exactly one model, one create, one commit and one reveal from this account (no duplicate and
no lost operation), and no failed transaction.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from soma_desktop.network.types import ModelState
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner
from tests.publish.publish_helpers import TestSigner, drive, make_safetensors, open_test_sandbox

CHILD = Path(__file__).with_name("crash_child.py")
KEY = bytes(range(32))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_child(root: Path, port: int, kill_at: int) -> subprocess.CompletedProcess:
    root.mkdir(parents=True, exist_ok=True)
    make_safetensors(root / "model.safetensors")
    return subprocess.run([sys.executable, str(CHILD), str(root), KEY.hex(), str(port), str(kill_at)],
                          capture_output=True, text=True, timeout=120)


async def _recover_and_finish(root: Path, port: int) -> None:
    net = open_test_sandbox(root / "sandbox.db")
    journal = Journal(root / "publish.db", KEY)
    try:
        with BlobServer(root / "blobs", port=port) as server:
            runner = PublishRunner(journal, net, TestSigner(), work_dir=root / "work", blob_server=server)
            await runner.resume_all()
            jobs = runner.jobs()
            assert len(jobs) == 1, jobs
            await drive(runner, net, jobs[0].id, root / "model.safetensors")
            job = journal.get(jobs[0].id)
            assert job.state is JobState.REVEALED, (job.state, job.last_error)
            sent = await net.list_transactions(address=TestSigner().address)
            assert all(tx["status"] == "success" for tx in sent), sent
            kinds = Counter(tx["kind"] for tx in sent)
            assert kinds == {"CreateModel": 1, "CommitModel": 1, "RevealModel": 1}, kinds
            mine = [m for m in await net.list_models() if m.owner == TestSigner().address]
            assert [(m.id, m.state) for m in mine] == [(job.model_id, ModelState.ACTIVE)]
    finally:
        journal.close()
        await net.close()


def test_kill_at_every_step_recovers_without_duplicate_or_lost_operations(tmp_path):
    baseline = _run_child(tmp_path / "baseline", _free_port(), 0)
    assert baseline.returncode == 0, baseline.stderr[-2000:]
    events = int(baseline.stdout.strip().splitlines()[-1])
    assert events >= 15   # journal writes + create/commit/reveal + the epoch boundary

    cases = [(k, tmp_path / f"kill{k:02d}", _free_port()) for k in range(1, events + 1)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: _run_child(c[1], c[2], c[0]), cases))
    for (k, root, port), result in zip(cases, results):
        assert result.returncode == -signal.SIGKILL, (k, result.returncode, result.stderr[-2000:])
        asyncio.run(_recover_and_finish(root, port))
