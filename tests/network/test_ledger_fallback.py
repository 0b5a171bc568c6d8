"""The app's own system-state read (network/sdk/ledger_rpc.py + ledger_state.py) when soma-sdk hits tonic's
4 MiB limit: a real HTTP/2 server on 127.0.0.1 answers GetEpoch with bytes from the independent test writer
(proto_writer.py), the fake SomaClient raises soma-sdk's real error text. Not tested against a live node."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib

import numpy as np
import pytest

pytest.importorskip("h2", reason="h2 (HTTP/2 for httpx) is a declared dependency: pip install -e .")

from soma_desktop.core.ids import normalize_id  # noqa: E402
from soma_desktop.network.errors import NetworkError, NetworkUnavailable  # noqa: E402
from soma_desktop.network.sdk.classify import StateTooLarge  # noqa: E402
from soma_desktop.network.sdk.ledger_rpc import GET_EPOCH_PATH, get_epoch_request, unary_call  # noqa: E402
from soma_desktop.network.types import (  # noqa: E402
    Manifest,
    ModelInfo,
    ModelState,
    PendingUpdate,
    PoolInfo,
    SystemState,
    Validator,
)
from tests.network import proto_writer  # noqa: E402
from tests.network.conftest import demo_signer, open_backend, run  # noqa: E402
from tests.network.fake_sdk import TCP_ERROR, decode_limit_error  # noqa: E402
from tests.network.grpc_server import GrpcTestServer, Reply, grpc_frame  # noqa: E402
from tests.network.test_contract import _commit_spec  # noqa: E402

MIB = 1024 * 1024
SOMA = 1_000_000_000
DIM = 2048                      # testnet's target embedding dimension: 8 KiB of f32 per revealed model
STATE = "get_latest_system_state"


def _digest(label: str, i: int) -> bytes:
    return hashlib.blake2b(f"{label}-{i}".encode(), digest_size=32).digest()


def _pool(i: int, *, deactivation: int | None = None) -> PoolInfo:
    stake = 7 * 2**32 + i * 1_000_003                       # > 2^32 shannons
    return PoolInfo(id=normalize_id(f"{0xB000_0000 + i:x}"), soma_balance=stake, rewards_pool=i * 977,
                    pool_token_balance=stake - i, pending_stake=i * 3, activation_epoch=2,
                    deactivation_epoch=deactivation, exchange_rates={e: (stake + e, stake) for e in range(2, 6)})


def _manifest(i: int) -> Manifest:
    return Manifest(f"https://weights.example.org/models/{i}/weights.enc", _digest("sum", i), 40 * MIB + i)


def _model(i: int) -> ModelInfo:
    """One registry entry as the chain shows it: only Created carries create_epoch, only Pending commit_epoch."""
    state = (ModelState.CREATED, ModelState.PENDING, ModelState.INACTIVE)[i % 8] if i % 8 < 3 else ModelState.ACTIVE
    pool = _pool(i, deactivation=9 if state is ModelState.INACTIVE else None)
    info = ModelInfo(id=normalize_id(f"{0xC000_0000 + i:x}"), owner=normalize_id(f"{0xD000 + i % 37:x}"),
                     state=state, architecture_version=1, commission_rate=i % 10_001, next_commission_rate=250,
                     create_epoch=4 if state is ModelState.CREATED else 0, stake=pool.soma_balance, pool=pool)
    if state is ModelState.CREATED:
        return info
    committed = dataclasses.replace(info, manifest=_manifest(i), weights_commitment=_digest("w", i),
                                    embedding_commitment=_digest("e", i), decryption_key_commitment=_digest("k", i))
    if state is ModelState.PENDING:
        return dataclasses.replace(committed, commit_epoch=8)
    embedding = tuple(np.random.default_rng(i).standard_normal(DIM).astype(np.float32).tolist())
    update = PendingUpdate(_manifest(10_000 + i), _digest("w2", i), _digest("e2", i), _digest("k2", i), 9)
    return dataclasses.replace(
        committed, decryption_key=_digest("key", i), embedding=embedding,
        pending_update=update if state is ModelState.ACTIVE and i % 3 == 0 else None,
        deactivation_epoch=9 if state is ModelState.INACTIVE else None)


def _validator(i: int) -> Validator:
    address = normalize_id(f"{0xE000 + i:x}")
    return Validator(address=address, name=f"{address[:8]}…{address[-4:]}", voting_power=2_500,
                     commission_rate=200 + i, next_commission_rate=300, pool=_pool(1_000 + i))


STATE_VALUE = SystemState(chain="", epoch=9, epoch_start_ms=1_780_000_000_123, epoch_duration_ms=86_400_000,
                          protocol_version=3, architecture_version=1, target_embedding_dim=DIM,
                          model_min_stake=SOMA, value_fee_bps=10, base_fee=1_000, write_object_fee=300,
                          emission_balance=9 * 10**18, emission_per_epoch=5 * 2**40, distance_threshold=0.3125,
                          reward_per_target=3 * 2**33, hits_this_epoch=17, targets_generated_this_epoch=64)


@pytest.fixture(scope="module")
def big_chain() -> tuple[list[Validator], list[ModelInfo], bytes]:
    validators, models = [_validator(i) for i in range(4)], [_model(i) for i in range(700)]
    answer = proto_writer.get_epoch_response(STATE_VALUE, validators, models)
    assert len(answer) > 4 * MIB                 # over tonic's default limit, as on the real chain
    return validators, models, answer


def _serve(answer: bytes) -> GrpcTestServer:
    return GrpcTestServer(lambda headers, body: Reply(grpc_frame(answer)))


def _check_requests(server: GrpcTestServer, count: int) -> None:
    assert len(server.requests) == count
    for headers, body in server.requests:
        assert headers[":method"] == "POST" and headers[":path"] == GET_EPOCH_PATH
        assert headers["content-type"] == "application/grpc" and headers["te"] == "trailers"
        assert body[0] == 0 and int.from_bytes(body[1:5], "big") == len(body) - 5
        assert proto_writer.read_mask_paths(body[5:]) == (None, ["system_state", "epoch"])


def _by_id(models: list[ModelInfo]) -> list[ModelInfo]:
    return sorted(models, key=lambda m: m.id)


# --- the fallback reads what soma-sdk cannot --------------------------------------------------------

def test_a_registry_over_4_mib_is_read_through_the_fallback(tmp_path, big_chain):
    validators, models, answer = big_chain
    with _serve(answer) as server:
        async def scenario():
            async with open_backend("sdk-fake", tmp_path, rpc_url=server.url) as backend:
                net = backend.network
                backend.chain.read_errors[STATE] = decode_limit_error(len(answer))
                assert _by_id(await net.list_models()) == _by_id(models)
                assert await net.get_validators() == validators
                state = await net.get_system_state()
                assert state == dataclasses.replace(STATE_VALUE, chain=net.env.chain)
                assert net.fee_bound(10 * SOMA) == 1_000 + 4 * 300 + 10 * SOMA * 10 // 10_000
                info = await net.get_model(models[3].id)
                assert info.embedding == models[3].embedding and info.stake > 2**32
                assert backend.chain.calls.count(STATE) == 1     # soma-sdk once; then read directly
        run(scenario())
        _check_requests(server, 4)
    assert sum(m.state is ModelState.ACTIVE for m in models) > 400


def test_the_fallback_reads_the_same_values_as_the_sdk_path(tmp_path):
    """Every model state (Created, Pending, Active with a pending update, Inactive) on the real sandbox rules:
    soma-sdk's answer (the fake) and the GetEpoch answer decode to identical domain values."""
    holder: dict[str, bytes] = {}
    with GrpcTestServer(lambda headers, body: Reply(grpc_frame(holder["answer"]))) as server:
        async def scenario():
            async with open_backend("sdk-fake", tmp_path, rpc_url=server.url) as backend:
                net, demo = backend.network, demo_signer()
                dim = (await net.get_system_state()).target_embedding_dim
                ids = [(await net.create_model(demo, (i + 1) * SOMA, 100 * i)).model_id for i in range(4)]
                specs = []
                for i, model_id in enumerate(ids[:3]):
                    (tmp_path / str(i)).mkdir()
                    specs.append(_commit_spec(tmp_path / str(i), model_id, dim, seed=bytes([i])))
                    await net.commit_model(demo, specs[-1][0])
                await net.advance_epoch()
                for (_, key, embedding), model_id in zip(specs[:2], ids[:2]):
                    await net.reveal_model(demo, model_id, key, embedding)
                await net.deactivate_model(demo, ids[1])
                (tmp_path / "update").mkdir()
                await net.commit_model(demo, _commit_spec(tmp_path / "update", ids[0], dim, seed=b"u")[0])
                via_sdk = (await net.get_system_state(), await net.get_validators(), _by_id(await net.list_models()))
                assert {m.state for m in via_sdk[2]} == set(ModelState)
                assert any(m.pending_update for m in via_sdk[2])

                sandbox = backend.chain.network
                holder["answer"] = proto_writer.get_epoch_response(
                    await sandbox.get_system_state(), await sandbox.get_validators(), await sandbox.list_models())
                backend.chain.read_errors[STATE] = decode_limit_error(4 * MIB + 1)
                fallback = (await net.get_system_state(), await net.get_validators(),
                            _by_id(await net.list_models()))
                assert fallback == via_sdk
        run(scenario())
        _check_requests(server, 3)


# --- only the size-limit failure falls back -------------------------------------------------------

def test_other_failures_and_successes_never_use_the_fallback(tmp_path, big_chain):
    with _serve(big_chain[2]) as server:
        async def scenario():
            async with open_backend("sdk-fake", tmp_path, rpc_url=server.url) as backend:
                net = backend.network
                assert (await net.get_system_state()).epoch >= 0              # soma-sdk answered
                backend.chain.read_errors[STATE] = TCP_ERROR
                with pytest.raises(NetworkUnavailable):
                    await net.list_models()
                backend.chain.read_errors[STATE] = 'status: Internal, message: "boom", details: [], metadata: ' \
                                                   'MetadataMap { headers: {} }'
                with pytest.raises(NetworkError) as other:
                    await net.get_validators()
                assert not isinstance(other.value, StateTooLarge)
        run(scenario())
        assert server.requests == []


# --- what the fallback refuses ---------------------------------------------------------------------

def _fallback_error(tmp_path, server: GrpcTestServer, *, limit: int | None = None) -> NetworkError:
    async def scenario() -> NetworkError:
        async with open_backend("sdk-fake", tmp_path, rpc_url=server.url) as backend:
            net = backend.network
            if limit is not None:
                net.state_limit = limit
            backend.chain.read_errors[STATE] = decode_limit_error(5 * MIB)
            with pytest.raises(NetworkError) as failed:
                await net.list_models()
            return failed.value
    return run(scenario())


def test_an_answer_over_the_app_limit_is_refused_with_a_clear_message(tmp_path, big_chain):
    with _serve(big_chain[2]) as server:
        err = _fallback_error(tmp_path, server, limit=1 * MIB)
    assert type(err) is NetworkError
    assert "larger than soma-sdk 0.1.15 can read" in str(err)
    assert "over this app's 1 MiB limit for one answer; it was not read" in str(err)


def test_a_declared_length_over_the_limit_is_refused_before_reading(big_chain):
    lie = b"\x00" + (2**31).to_bytes(4, "big") + b"\x00" * 100            # claims 2 GiB, sends 100 bytes
    with GrpcTestServer(lambda headers, body: Reply(lie)) as server, \
            pytest.raises(NetworkError, match="2048.0 MiB, over this app's 64 MiB limit"):
        asyncio.run(unary_call(server.url, GET_EPOCH_PATH, get_epoch_request(), timeout=10))


@pytest.mark.parametrize("code, message, kind, words", [
    ("5", "epoch%20not%20found", NetworkError, "refused the system state read (status: NotFound, message: epoch "
                                               "not found)"),
    ("8", "", NetworkError, "status: ResourceExhausted"),
    ("14", "shutting%20down", NetworkUnavailable, "Cannot reach the network"),
    ("12", "", NetworkUnavailable, "does not speak the SOMA RPC"),
])
def test_a_grpc_error_status_is_reported_plainly(tmp_path, code, message, kind, words):
    headers = [(":status", "200"), ("content-type", "application/grpc")]
    trailers = [("grpc-status", code)] + ([("grpc-message", message)] if message else [])
    reply = Reply(headers=headers, trailers=trailers, trailers_only=True)
    with GrpcTestServer(lambda h, b: reply) as server:
        err = _fallback_error(tmp_path, server)
    assert type(err) is kind and words in str(err)
    assert "%20" not in str(err)


@pytest.mark.parametrize("reply, kind, words", [
    (Reply(b"\x00\x00\x00\x00\x10" + b"\x0a" * 16), NetworkError, "Unexpected system state answer"),
    (Reply(b"\x01\x00\x00\x00\x02ab"), NetworkError, "compressed answer"),
    (Reply(b""), NetworkError, "held no message"),
    (Reply(grpc_frame(b"\x0a\x00") + grpc_frame(b"")), NetworkError, "more than one message"),
    (Reply(b"<html>", headers=[(":status", "200"), ("content-type", "text/html")]), NetworkUnavailable,
     "does not speak the SOMA RPC"),
    (Reply(b"", headers=[(":status", "404"), ("content-type", "application/grpc")]), NetworkError, "HTTP 404"),
])
def test_malformed_answers_are_refused(tmp_path, reply, kind, words):
    with GrpcTestServer(lambda h, b: reply) as server:
        err = _fallback_error(tmp_path, server)
    assert type(err) is kind and words in str(err)


def test_an_unreachable_node_is_reported_as_unavailable(tmp_path):
    server = GrpcTestServer(lambda h, b: Reply())
    server.close()                                               # nothing listens on that port any more
    err = _fallback_error(tmp_path, server)
    assert type(err) is NetworkUnavailable
    assert "Reading it directly failed too: Cannot reach the network" in str(err)
