"""SdkNetwork behaviour that only exists on the soma-sdk path: clients, timeouts, recovery, scoring, presets."""

from __future__ import annotations

import asyncio
import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from soma_sdk import SomaClient

from soma_desktop.core.crypto import b58decode
from soma_desktop.network.errors import (
    InvalidInput,
    NetworkUnavailable,
    StatusUnknown,
    TransactionFailed,
    Unsupported,
)
from soma_desktop.network.sdk import RemoteScore, WeightsManifest, open_sdk_network
from soma_desktop.network.sdk.environments import LOCALNET_ADMIN, TESTNET_FAUCET, TESTNET_RPC
from soma_desktop.network.types import Manifest, ModelState, TargetStatus
from tests.network.conftest import demo_signer, fresh_signer, open_backend, run
from tests.network.fake_sdk import FakeChain, FakeSomaClient, to_shannons
from tests.network.test_contract import _commit_spec

SOMA = 1_000_000_000


# --- the fake mirrors the real wheel ---------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_fake_to_shannons_matches_the_sdk(value):
    assert to_shannons(value) == SomaClient.to_shannons(value)


@pytest.mark.parametrize("kwargs", [dict(chain="mainnet"), dict(), dict(rpc_url="http://x", chain="testnet"),
                                    dict(chain="localnet", faucet_url="http://x")])
def test_fake_constructor_errors_match_the_sdk(kwargs):
    async def both():
        with pytest.raises(ValueError) as real:
            SomaClient(**kwargs)
        with pytest.raises(ValueError) as fake:
            FakeSomaClient(FakeChain(None), **kwargs)
        assert str(fake.value) == str(real.value)
    run(both())


def test_fake_needs_a_running_loop_like_the_sdk():
    with pytest.raises(RuntimeError, match="no running event loop"):
        SomaClient("http://127.0.0.1:1")
    with pytest.raises(RuntimeError, match="no running event loop"):
        FakeSomaClient(FakeChain(None), "http://127.0.0.1:1")


def test_fake_serialises_calls_per_client(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            client = await backend.chain.factory("http://127.0.0.1:9000")
            backend.chain.delays["get_balance"] = 0.05
            futures = [client.get_balance(demo_signer().address) for _ in range(4)]   # started, not awaited
            results = await asyncio.gather(*futures)
            assert results == [100_000.0] * 4 and client.max_in_flight == 1
    run(scenario())


# --- clients, timeouts, unknown outcomes -----------------------------------------------------------

def test_pending_transaction_does_not_block_reads(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo = backend.network, demo_signer()
            await net.get_balance(demo.address)                       # the polling client exists
            gate = backend.chain.gates["transfer_coin"] = asyncio.Event()
            transfer = asyncio.ensure_future(net.transfer_coin(demo, fresh_signer().address, SOMA))
            while "transfer_coin" not in backend.chain.calls:
                await asyncio.sleep(0.005)
            assert await net.get_balance(demo.address) == 100_000 * SOMA   # not queued behind the pending tx
            assert not transfer.done()
            gate.set()
            assert (await transfer).fee > 0
    run(scenario())


def test_transaction_timeout_is_status_unknown(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path, tx_timeout_s=0.2) as backend:
            backend.chain.delays["transfer_coin"] = 5.0
            with pytest.raises(StatusUnknown):
                await backend.network.transfer_coin(demo_signer(), fresh_signer().address, SOMA)
    run(scenario())


def test_checkpoint_timeout_is_status_unknown_and_state_tells(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, bob = backend.network, fresh_signer()
            backend.chain.checkpoint_timeouts.add("transfer_coin")
            with pytest.raises(StatusUnknown):
                await net.transfer_coin(demo_signer(), bob.address, SOMA)
            assert await net.get_balance(bob.address) == SOMA        # it did execute: re-query, never resend
    run(scenario())


def test_model_id_recovered_after_checkpoint_timeout(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo = backend.network, demo_signer()
            backend.chain.checkpoint_timeouts.add("create_model")
            result = await net.create_model(demo, SOMA, 100)
            info = await net.get_model(result.model_id)
            assert info.state is ModelState.CREATED and info.owner == demo.address
            assert "create_model" in backend.chain.calls
    run(scenario())


def test_unrecoverable_create_stays_status_unknown(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path, tx_timeout_s=0.2) as backend:
            backend.chain.delays["create_model"] = 5.0               # never executes before we give up
            with pytest.raises(StatusUnknown):
                await backend.network.create_model(demo_signer(), SOMA, 100)
    run(scenario())


def test_execution_failure_carries_name_and_digest(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            with pytest.raises(TransactionFailed) as failed:
                await backend.network.create_model(demo_signer(), SOMA, 20_000)
            assert failed.value.error_name == "ModelCommissionRateTooHigh"
            assert failed.value.digest and len(b58decode(failed.value.digest)) == 32
    run(scenario())


def test_rejected_before_execution(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            with pytest.raises(TransactionFailed) as rejected:
                await backend.network.withdraw_stake(demo_signer(), "0x" + "42" * 32)
            assert rejected.value.error_name == "ObjectNotFound"
    run(scenario())


# --- signer, services ------------------------------------------------------------------------------

def test_signer_key_must_match_address(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            honest, other = demo_signer(), fresh_signer()

            class Mismatched:
                address = honest.address

                def secret_key(self):
                    return other.secret_key()

            class Broken:
                address = honest.address

                def secret_key(self):
                    return b"short"

            for signer in (Mismatched(), Broken()):
                with pytest.raises(InvalidInput) as bad:
                    await backend.network.transfer_coin(signer, other.address, SOMA)
                assert other.secret_key().hex() not in str(bad.value)
            assert "transfer_coin" not in backend.chain.calls
    run(scenario())


def test_missing_services_are_unsupported(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path, faucet_url=None, admin_url=None, scoring_url=None) as b:
            net = b.network
            assert not (net.has_faucet or net.can_advance_epoch or net.has_scoring)
            with pytest.raises(Unsupported):
                await net.request_faucet(fresh_signer().address)
            with pytest.raises(Unsupported):
                await net.advance_epoch()
            with pytest.raises(Unsupported):
                await net.score_remote("https://d.example/x", [], [1.0], bytes(32), 1)
    run(scenario())


def test_stopped_faucet_does_not_break_reads(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            backend.chain.faucet_up = False
            with pytest.raises(NetworkUnavailable):
                await backend.network.request_faucet(fresh_signer().address)
            assert await backend.network.get_balance(demo_signer().address) == 100_000 * SOMA
            assert await backend.network.health() is True
    run(scenario())


def test_chain_down_then_back(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net = backend.network
            backend.chain.rpc_up = False
            assert await net.health() is False and "tcp connect error" in net.last_error
            with pytest.raises(NetworkUnavailable):
                await net.get_system_state()
            backend.chain.rpc_up = True
            assert await net.health() is True and net.last_error is None
    run(scenario())


# --- commit ----------------------------------------------------------------------------------------

def test_commit_refuses_a_file_that_differs_from_the_manifest(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo = backend.network, demo_signer()
            model_id = (await net.create_model(demo, SOMA, 0)).model_id
            spec, _, _ = _commit_spec(tmp_path, model_id, 128)
            with open(spec.encrypted_path, "r+b") as handle:
                handle.write(b"\xff")
            with pytest.raises(InvalidInput, match="checksum"):
                await net.commit_model(demo, spec)
            assert "commit_model" not in backend.chain.calls
            assert (await net.get_model(model_id)).state is ModelState.CREATED
    run(scenario())


def test_commit_keeps_the_loop_running(tmp_path):
    """The SDK call runs on a worker thread; the loop keeps serving other coroutines meanwhile."""
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net, demo = backend.network, demo_signer()
            model_id = (await net.create_model(demo, SOMA, 0)).model_id
            spec, _, _ = _commit_spec(tmp_path, model_id, 128)
            gate = backend.chain.gates["commit_model"] = asyncio.Event()
            commit = asyncio.ensure_future(net.commit_model(demo, spec))
            while "commit_model" not in backend.chain.calls:     # the loop serves us while the commit is out
                await asyncio.sleep(0.005)
            assert await net.get_balance(demo.address) > 0 and not commit.done()
            gate.set()
            assert (await commit).fee > 0
            assert (await net.get_model(model_id)).state is ModelState.PENDING
    run(scenario())


# --- targets ---------------------------------------------------------------------------------------

def test_all_status_paging_walks_phases(tmp_path):
    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            net = backend.network
            await net.advance_epoch()            # 100 expired + 100 open
            first = await net.list_targets(None, None, 150)
            assert len(first.targets) == 150 and first.next_page_token
            second = await net.list_targets(None, first.next_page_token, 150)
            ids = [x.id for x in first.targets + second.targets]
            assert len(ids) == len(set(ids)) == 200
            assert {x.status for x in first.targets + second.targets} == {TargetStatus.OPEN, TargetStatus.EXPIRED}
            for token in ("garbage", "9:", "x:ab"):
                with pytest.raises(InvalidInput):
                    await net.list_targets(None, token)
            with pytest.raises(InvalidInput):
                await net.list_targets(TargetStatus.OPEN, "zz")
    run(scenario())


# --- remote scoring --------------------------------------------------------------------------------

def test_score_remote_sends_checked_manifests(tmp_path):
    seen = {}

    def scorer(request):
        seen.update(request)
        return {"winner": 1, "loss_score": [2.5], "embedding": [0.25, 0.5], "distance": [0.125]}

    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as backend:
            backend.chain.scorer = scorer
            net = backend.network
            active = [m for m in await net.list_models() if m.state is ModelState.ACTIVE][:2]
            demo_manifests = await net.weights_manifests([m.id for m in active])
            assert [(w.model_id, w.manifest, w.decryption_key) for w in demo_manifests] == [
                (m.id, m.manifest, m.decryption_key) for m in active]
            weights = [hashlib.blake2b(bytes([i]) * 100, digest_size=32).digest() for i in range(2)]
            manifests = [WeightsManifest(Manifest(f"https://w.example.org/{i}.enc", weights[i], 100),
                                         bytes([i + 1]) * 32, active[i].id) for i in range(2)]
            data = b"hello scoring"
            checksum = hashlib.blake2b(data, digest_size=32).digest()
            result = await net.score_remote("https://data.example.org/x.bin", manifests, [0.1] * 4, checksum,
                                            len(data), seed=7)
            assert result == RemoteScore(1, active[1].id, 2.5, (0.25, 0.5), 0.125)
            assert seen["data_size"] == len(data) and b58decode(seen["data_checksum"]) == checksum
            assert seen["seed"] == 7 and len(seen["model_manifests"]) == 2
            assert b58decode(seen["model_manifests"][0]["decryption_key"]) == manifests[0].decryption_key
            assert await net.scoring_health() is True

            bad_key = [WeightsManifest(Manifest("https://w.example/a", checksum, 5), b"short")]
            with pytest.raises(InvalidInput):
                await net.score_remote("https://d.example/x", bad_key, [0.1], checksum, 5)
            for url, emb, size in (("file:///tmp/x", [0.1], 5), ("https://d.example/x", [math.nan], 5),
                                   ("https://d.example/x", [0.1], 0)):
                with pytest.raises(InvalidInput):
                    await net.score_remote(url, manifests, emb, checksum, size)
            with pytest.raises(InvalidInput):
                await net.weights_manifests(["0x" + "77" * 32])
    run(scenario())


# --- presets ---------------------------------------------------------------------------------------

def test_open_presets_and_custom_urls():
    async def scenario():
        testnet = await open_sdk_network("testnet")
        assert (testnet.name, testnet.env.rpc_url, testnet.env.faucet_url) == ("Testnet", TESTNET_RPC, TESTNET_FAUCET)
        assert testnet.has_faucet and not testnet.can_advance_epoch and testnet.is_sandbox is False
        localnet = await open_sdk_network("LOCALNET", faucet_url="http://127.0.0.1:9999")
        assert localnet.env.faucet_url == "http://127.0.0.1:9999" and localnet.env.admin_url == LOCALNET_ADMIN
        custom = await open_sdk_network("https://rpc.example.org:8443/", timeout_s=3)
        assert (custom.name, custom.env.rpc_url, custom.has_faucet) == ("rpc.example.org:8443",
                                                                        "https://rpc.example.org:8443", False)
        for bad in ("sandbox", "ftp://x.org", "http://", "rpc.example.org", "http://u:p@h.org", "http://h:0"):
            with pytest.raises(InvalidInput):
                await open_sdk_network(bad)
        with pytest.raises(InvalidInput):
            await open_sdk_network("testnet", timeout_s=0)
    run(scenario())


def test_sdk_network_implements_the_network_interface():
    import inspect

    from soma_desktop.network.base import Network
    from soma_desktop.network.sdk import SdkNetwork

    for name, member in vars(Network).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        mine = getattr(SdkNetwork, name)
        assert inspect.iscoroutinefunction(mine), name
        assert list(inspect.signature(mine).parameters) == list(inspect.signature(member).parameters), name
    for attribute in ("name", "is_sandbox", "has_faucet", "can_advance_epoch"):
        assert hasattr(run(open_sdk_network("testnet")), attribute)



def test_open_client_yaml_env(tmp_path, monkeypatch):
    (tmp_path / "client.yaml").write_text("envs:\n  - alias: local\n    rpc: http://127.0.0.1:9000\n")
    monkeypatch.setenv("SOMA_CONFIG_DIR", str(tmp_path))

    async def scenario():
        net = await open_sdk_network("env:local")
        assert (net.name, net.env.rpc_url, net.has_faucet) == ("local", "http://127.0.0.1:9000", True)
        with pytest.raises(InvalidInput):
            await open_sdk_network("env:missing")
    run(scenario())
