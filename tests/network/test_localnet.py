"""Opt-in: the full publish flow against a real `soma start localnet` (needs the `soma` binary on PATH).

Run with:  pytest tests/network -m localnet
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time

import pytest

from soma_desktop.network.base import list_all_targets
from soma_desktop.network.errors import TransactionFailed
from soma_desktop.network.sdk import open_sdk_network
from soma_desktop.network.types import ModelState
from tests.network.conftest import fresh_signer, run
from tests.network.test_contract import _commit_spec

SOMA = 1_000_000_000
STARTUP_S = 180

pytestmark = [
    pytest.mark.localnet,
    pytest.mark.timeout(600),
    pytest.mark.skipif(shutil.which("soma") is None, reason="the `soma` CLI binary is not on PATH"),
]


@pytest.fixture
def localnet(tmp_path):
    """`soma start localnet --force-regenesis` in its own process group, config kept under tmp_path."""
    env = dict(os.environ, SOMA_CONFIG_DIR=str(tmp_path / "soma_config"))
    log = open(tmp_path / "localnet.log", "wb")  # noqa: SIM115 - open for the node's lifetime, closed at teardown
    proc = subprocess.Popen(
        ["soma", "start", "localnet", "--force-regenesis", "--no-scoring",
         "--network.config", str(tmp_path / "network")],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()


async def _wait_until_healthy(net, proc) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"soma start localnet exited with {proc.returncode}")
        if await net.health():
            return
        await asyncio.sleep(1.0)
    pytest.fail("localnet did not answer within the startup window")


def test_publish_flow_on_localnet(localnet, tmp_path):
    async def scenario():
        net = await open_sdk_network("localnet", scoring_url=None, timeout_s=20.0, tx_timeout_s=60.0)
        await _wait_until_healthy(net, localnet)
        owner = fresh_signer()
        for _ in range(3):
            await net.request_faucet(owner.address)
        while await net.get_balance(owner.address) < 3 * SOMA:
            await asyncio.sleep(1.0)
        if len(await net.list_coins(owner.address)) > 1:
            await net.merge_coins(owner)

        state = await net.get_system_state()
        model_id = (await net.create_model(owner, SOMA, 500)).model_id
        assert (await net.get_model(model_id)).state is ModelState.CREATED

        spec, key, embedding = _commit_spec(tmp_path, model_id, state.target_embedding_dim)
        await net.commit_model(owner, spec)
        pending = await net.get_model(model_id)
        assert pending.state is ModelState.PENDING and pending.manifest == spec.manifest

        with pytest.raises(TransactionFailed) as early:
            await net.reveal_model(owner, model_id, key, embedding)
        assert early.value.error_name == "ModelRevealEpochMismatch"

        after = await net.advance_epoch()
        assert after.epoch == state.epoch + 1
        await net.reveal_model(owner, model_id, key, embedding)
        active = await net.get_model(model_id)
        assert active.state is ModelState.ACTIVE and active.decryption_key == key
        assert active.embedding == embedding
        await list_all_targets(net)
        await net.close()
    run(scenario())
