"""The async SandboxNetwork: interface, timed epochs with catch-up, demo models at genesis."""

from __future__ import annotations

import asyncio
import inspect
import json

import numpy as np
import pytest

from soma_desktop.core.crypto import blake2b256, embedding_commitment, key_commitment
from soma_desktop.network import base
from soma_desktop.network.errors import InvalidInput, TransactionFailed
from soma_desktop.network.sandbox import (
    DEVIATIONS,
    SANDBOX_DEMO_ADDRESS,
    SANDBOX_DEMO_MNEMONIC,
    SandboxConfig,
    SandboxNetwork,
    genesis,
    open_sandbox,
)
from soma_desktop.network.sandbox.params import SOMA
from tests.sandbox.helpers import DIM, FakeClock, FakeSigner, addr, commit_spec, embedding

DURATION = 60_000


def test_implements_every_network_method():
    for name, member in inspect.getmembers(base.Network):
        if name.startswith("_") or not inspect.iscoroutinefunction(member):
            continue
        assert inspect.iscoroutinefunction(getattr(SandboxNetwork, name)), name
        want = list(inspect.signature(member).parameters)
        got = list(inspect.signature(getattr(SandboxNetwork, name)).parameters)
        assert got == want, name
    assert SandboxNetwork.name == "Sandbox" and SandboxNetwork.is_sandbox
    assert SandboxNetwork.has_faucet and SandboxNetwork.can_advance_epoch


def test_constants_and_deviations():
    assert SANDBOX_DEMO_MNEMONIC.split() == ["abandon"] * 11 + ["about"]
    assert SANDBOX_DEMO_ADDRESS == "0x5e93a736d04fbb25737aa40bee40171ef79f65fae833749e3c089fe7cc2161f1"
    labels = [d.split()[0] for d in DEVIATIONS]
    assert [f"D{i}" for i in range(1, 10)] == labels[:9]


def test_demo_mnemonic_derives_the_demo_address():
    from soma_sdk import Keypair
    assert "0x" + Keypair.from_mnemonic(SANDBOX_DEMO_MNEMONIC).address() == SANDBOX_DEMO_ADDRESS


def test_async_flow(tmp_path):
    async def flow():
        net = open_sandbox(tmp_path / "n.db", SandboxConfig(embedding_dim=DIM, timed=False, clock=FakeClock()))
        me = FakeSigner(addr("me"))
        faucet = await net.request_faucet(me.address)
        assert await net.get_balance(me.address) == 2 * SOMA
        assert faucet.fee == 1000 + 2 * 300 + 2 * SOMA * 10 // 10_000          # paid by the faucet account
        demo = FakeSigner(SANDBOX_DEMO_ADDRESS)
        await net.transfer_coin(demo, me.address, 100 * SOMA)
        created = await net.create_model(me, SOMA, 100)
        emb, key = embedding(1), bytes(32)
        await net.commit_model(me, commit_spec(created.model_id, emb, key))
        state = await net.advance_epoch()
        assert state.epoch == 1 and not state.timed_epochs
        await net.reveal_model(me, created.model_id, key, emb.tolist())
        assert (await net.get_model(created.model_id)).state.value == "active"
        page = await net.list_targets(limit=5)
        all_targets = await base.list_all_targets(net)
        assert len(page.targets) == 5 and len(all_targets) == 200
        with pytest.raises(TransactionFailed) as info:
            await net.reveal_model(me, created.model_id, key, emb.tolist())
        assert info.value.error_name == "ModelNoPendingUpdate"
        tx = await net.get_transaction(info.value.digest)
        assert tx["status"] == "failure" and tx["fee"] == 1000
        assert (await net.list_transactions(limit=1, address=me.address))[0]["digest"] == info.value.digest
        with pytest.raises(InvalidInput):
            await net.transfer_coin(object(), me.address, 1)
        audit = await net.supply_audit()
        assert audit["total"] == audit["expected"]
        await net.close()
    asyncio.run(flow())


def test_timed_catch_up_slashes_missed_reveal(tmp_path):
    clock = FakeClock()
    path = tmp_path / "timed.db"
    config = SandboxConfig(embedding_dim=DIM, epoch_duration_ms=DURATION, timed=True, clock=clock)
    net = open_sandbox(path, config)
    chain = net.chain
    model_id = chain.create_model(SANDBOX_DEMO_ADDRESS, 2 * SOMA, 0).model_id
    chain.commit_model(SANDBOX_DEMO_ADDRESS, commit_spec(model_id, embedding(1), bytes(32)))
    asyncio.run(net.close())
    clock.now += 3 * DURATION + DURATION // 2               # the app was closed for 3.5 epochs
    net = open_sandbox(path, config)
    state = net.chain.system_state()
    assert net.caught_up == 3 and state.epoch == 3
    assert state.epoch_start_ms == 1_700_000_000_000 + 3 * DURATION          # boundaries on schedule
    model = net.chain.get_model(model_id)
    assert model.state.value == "inactive" and model.stake == SOMA           # missed reveal: 50 % slash
    asyncio.run(net.close())


def test_catch_up_is_capped(tmp_path):
    clock = FakeClock()
    config = SandboxConfig(embedding_dim=DIM, epoch_duration_ms=DURATION, timed=True, clock=clock,
                           max_catch_up_epochs=5)
    net = open_sandbox(tmp_path / "cap.db", config)
    asyncio.run(net.close())
    clock.now += 1000 * DURATION
    net = open_sandbox(tmp_path / "cap.db", config)
    state = net.chain.system_state()
    assert state.epoch == 5 and state.epoch_start_ms == clock.now
    asyncio.run(net.close())


def test_background_task_advances_epochs_and_stops_on_close(tmp_path):
    clock = FakeClock()
    config = SandboxConfig(embedding_dim=DIM, epoch_duration_ms=DURATION, timed=True, clock=clock)

    async def flow():
        net = open_sandbox(tmp_path / "tick.db", config)
        net.tick_seconds = 0.005
        await net.start()
        clock.now += DURATION
        for _ in range(2000):
            if (await net.get_system_state()).epoch == 1:
                break
            await asyncio.sleep(0.005)
        assert (await net.get_system_state()).epoch == 1
        await net.close()
        assert net._ticker is None
    asyncio.run(flow())


def test_manual_mode_never_advances_by_itself(tmp_path):
    clock = FakeClock()
    net = open_sandbox(tmp_path / "m.db", SandboxConfig(embedding_dim=DIM, epoch_duration_ms=DURATION, timed=False,
                                                        clock=clock))
    clock.now += 10 * DURATION
    asyncio.run(net.start())
    assert net.chain.system_state().epoch == 0
    asyncio.run(net.close())


def test_demo_models_from_resources(tmp_path, monkeypatch):
    resources = tmp_path / "resources"
    (resources / "models").mkdir(parents=True)
    weights = resources / "models" / "tiny.safetensors"
    weights.write_bytes(b"not really safetensors, only hashed")
    embs = [embedding(i).tolist() for i in range(2)]
    doc = {"version": 1, "architecture": {"embedding_dim": DIM},
           "models": [{"name": f"m{i}", "title": f"Model {i}", "weights": "tiny.safetensors", "corpus": "c",
                       "blake2b256_hex": blake2b256(weights.read_bytes()).hex(), "embedding": embs[i]}
                      for i in range(2)]}
    (resources / "models" / "demo_models.json").write_text(json.dumps(doc))
    monkeypatch.setattr(genesis, "resources_dir", lambda: resources)
    net = open_sandbox(tmp_path / "d.db", SandboxConfig(embedding_dim=DIM, timed=False, clock=FakeClock()))
    models = net.chain.list_models()
    assert [m.title for m in models if m.title] and {m.title for m in models} == {"Model 0", "Model 1"}
    for m in models:
        assert m.state.value == "active" and m.pool.activation_epoch == 0 and m.stake == SOMA
        assert m.manifest.url == "resource://models/tiny.safetensors"
        assert m.manifest.checksum == blake2b256(weights.read_bytes()) and m.manifest.size == weights.stat().st_size
        assert m.decryption_key == bytes(32) and m.decryption_key_commitment == key_commitment(bytes(32))
        assert m.embedding_commitment == embedding_commitment(list(m.embedding))
    assert sorted(np.asarray(m.embedding, "<f4").tobytes() for m in models) == sorted(
        np.asarray(e, "<f4").tobytes() for e in embs)
    assert "demo_models.json" in net.chain.genesis_note and "deterministic" not in net.chain.genesis_note
    asyncio.run(net.close())
    # another dimension: deterministic fallback, and it says so
    net = open_sandbox(tmp_path / "e.db", SandboxConfig(embedding_dim=32, timed=False, clock=FakeClock()))
    assert "deterministic" in net.chain.genesis_note and len(net.chain.list_models()) == 3
    assert all(len(m.embedding) == 32 for m in net.chain.list_models())
    asyncio.run(net.close())
