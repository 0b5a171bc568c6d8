"""`soma-desktop guard` as a child process on a real sandbox data dir: one reveal, in commit_epoch + 1, once."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from soma_desktop.core.instance_lock import InstanceLock
from soma_desktop.core.settings import Settings, save_settings
from soma_desktop.network.factory import sandbox_db_path
from soma_desktop.network.sandbox import SANDBOX_DEMO_MNEMONIC, SandboxConfig, open_sandbox
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import JobState, Journal
from soma_desktop.publish.runner import PublishRunner
from soma_desktop.publish.workflow import Action
from soma_desktop.wallet.keyring_unlock import DeviceUnlock
from soma_desktop.wallet.vault import Argon2Params, Vault, VaultPolicy
from tests.publish.publish_helpers import embedding, make_safetensors

REPO = Path(__file__).resolve().parents[2]
FAST = Argon2Params(m_kib=64, t=1, p=1)
PASSWORD = "correct horse battery staple 42"
STAKE = 5_000_000_000_000            # 5,000 SOMA: above 2^32 shannons


def _sandbox(data_dir: Path):
    return open_sandbox(sandbox_db_path(data_dir), SandboxConfig(embedding_dim=16, timed=False))


async def _commit_a_model(data_dir: Path, vault: Vault) -> tuple[int, int]:
    """Play the wizard up to a committed model; returns (job id, commit epoch)."""
    net = _sandbox(data_dir)
    journal = Journal(data_dir / "publish" / "journal.db", vault.journal_key())
    account = vault.accounts[0]
    weights = make_safetensors(data_dir / "model.safetensors")
    try:
        with BlobServer(data_dir / "publish" / "blobs") as server:
            runner = PublishRunner(journal, net, account, work_dir=data_dir / "publish" / "work", blob_server=server)
            job = runner.start_publish()
            for _ in range(30):
                decision = await runner.decide(job.id)
                if decision.action is Action.WAIT_EPOCH:
                    break
                if decision.action is Action.ASK_WEIGHTS:
                    await runner.set_weights(job.id, weights)
                elif decision.action is Action.ASK_EMBEDDING:
                    await runner.set_embedding(job.id, embedding())
                elif decision.action is Action.ASK_HOSTING:
                    await runner.host_local(job.id)
                elif decision.action is Action.ASK_CREATE:
                    await runner.create(job.id, STAKE, 100)
                else:
                    await runner.advance(job.id, confirm=True)
            job = journal.get(job.id)
            assert job.state is JobState.COMMITTED
            return job.id, job.commit_epoch
    finally:
        journal.close()
        await net.close()


async def _advance(data_dir: Path) -> int:
    net = _sandbox(data_dir)
    try:
        return (await net.advance_epoch()).epoch
    finally:
        await net.close()


def _reveals(data_dir: Path) -> list[tuple[int, str]]:
    db = sqlite3.connect(sandbox_db_path(data_dir))
    try:
        return db.execute("SELECT epoch, status FROM txs WHERE kind = 'RevealModel' ORDER BY seq").fetchall()
    finally:
        db.close()


def _guard(data_dir: Path, keyring_store: dict, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen",
           "GUARD_TEST_KEYRING": json.dumps(keyring_store), "PATH": os.defpath}   # no notify-send: log only
    return subprocess.run([sys.executable, "-m", "tests.guardian.guard_child", "guard", "--once",
                           "--data-dir", str(data_dir), "--network", "sandbox", *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _setup(data_dir: Path, *, remember: bool, memory_keyring) -> tuple[int, int, dict]:
    save_settings(data_dir, Settings(network="sandbox", sandbox_timed_epochs=False, sandbox_embedding_dim=16))
    vault = Vault.create(data_dir / "wallet.vault", PASSWORD, SANDBOX_DEMO_MNEMONIC,
                         policy=VaultPolicy(default_kdf=FAST, floor=FAST))
    try:
        if remember:
            assert DeviceUnlock(is_allowed=lambda backend: True).remember(vault).available
        job_id, commit_epoch = asyncio.run(_commit_a_model(data_dir, vault))
    finally:
        vault.lock()
    store: dict[str, dict[str, str]] = {}
    for (service, user), value in memory_keyring.store.items():
        store.setdefault(service, {})[user] = value
    return job_id, commit_epoch, store


def _job_state(data_dir: Path, job_id: int) -> JobState:
    journal = Journal(data_dir / "publish" / "journal.db", os.urandom(32))   # public columns only
    try:
        return journal.get(job_id).state
    finally:
        journal.close()


def test_guard_reveals_once_in_the_reveal_epoch(data_dir, memory_keyring):
    job_id, commit_epoch, store = _setup(data_dir, remember=True, memory_keyring=memory_keyring)

    early = _guard(data_dir, store)                     # the window is not open yet: nothing is sent
    assert early.returncode == 0, early.stderr
    assert _reveals(data_dir) == []
    assert f"epoch {commit_epoch + 1}" in early.stdout

    assert asyncio.run(_advance(data_dir)) == commit_epoch + 1
    first = _guard(data_dir, store)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "revealed model 0x" in first.stdout
    again = _guard(data_dir, store)                     # a second pass finds nothing to do
    assert again.returncode == 0, again.stderr
    assert _reveals(data_dir) == [(commit_epoch + 1, "success")]
    assert _job_state(data_dir, job_id) is JobState.REVEALED


def test_guard_with_a_locked_wallet_notifies_and_sends_nothing(data_dir, memory_keyring):
    job_id, commit_epoch, _store = _setup(data_dir, remember=False, memory_keyring=memory_keyring)
    assert asyncio.run(_advance(data_dir)) == commit_epoch + 1

    result = _guard(data_dir, {})
    assert result.returncode == 3
    assert "wallet is locked" in result.stdout and f"epoch {commit_epoch + 1}" in result.stdout
    assert _reveals(data_dir) == []
    assert _job_state(data_dir, job_id) is JobState.COMMITTED


def test_guard_leaves_the_data_dir_to_a_running_app(data_dir, memory_keyring):
    job_id, commit_epoch, store = _setup(data_dir, remember=True, memory_keyring=memory_keyring)
    assert asyncio.run(_advance(data_dir)) == commit_epoch + 1
    with InstanceLock(data_dir):
        result = _guard(data_dir, store)
    assert result.returncode == 0
    assert _reveals(data_dir) == []
    assert _job_state(data_dir, job_id) is JobState.COMMITTED


@pytest.mark.parametrize("interval", ["0", "-5"])
def test_guard_refuses_a_bad_interval(data_dir, interval):
    result = _guard(data_dir, {}, "--interval", interval)
    assert result.returncode == 2 and "--interval" in result.stderr
