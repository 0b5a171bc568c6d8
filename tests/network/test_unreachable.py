"""With the network unreachable, every SdkNetwork call fails fast with NetworkUnavailable (real soma-sdk).

Two kinds of dead endpoint on 127.0.0.1: a closed port (connection refused) and a server that accepts TCP and
never answers (soma-sdk alone would hang 25 s there). Each call is guarded at 10x the configured timeout, so a
missing `wait_for` shows up as a failure rather than a slow suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest

from soma_desktop.network.errors import NetworkUnavailable
from soma_desktop.network.sdk import WeightsManifest, open_sdk_network
from soma_desktop.network.types import CommitSpec, Manifest
from tests.network.conftest import fresh_signer, run

TIMEOUT_S = 0.3
GUARD_S = 10 * TIMEOUT_S
SOME_ID = "0x" + "11" * 32


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def _dead_endpoint(kind: str):
    if kind == "closed":
        yield f"http://127.0.0.1:{_closed_port()}"
        return
    held: list[asyncio.StreamWriter] = []

    async def accept_and_ignore(reader, writer):
        held.append(writer)                      # keep the socket open, never read or write

    server = await asyncio.start_server(accept_and_ignore, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()


def _calls(net, signer, tmp_path):
    enc = tmp_path / "w.enc"
    enc.write_bytes(b"x" * 64)
    import hashlib
    manifest = Manifest("https://example.org/w.enc", hashlib.blake2b(b"x" * 64, digest_size=32).digest(), 64)
    spec = CommitSpec(SOME_ID, manifest, str(enc), bytes(32), b"\0\0\0\0" * 4)
    scoring = [WeightsManifest(manifest, bytes(range(32)), SOME_ID)]
    addr = signer.address
    return {
        "get_system_state": lambda: net.get_system_state(),
        "get_balance": lambda: net.get_balance(addr),
        "list_coins": lambda: net.list_coins(addr),
        "request_faucet": lambda: net.request_faucet(addr),
        "transfer_coin": lambda: net.transfer_coin(signer, SOME_ID, 5),
        "pay_coins": lambda: net.pay_coins(signer, [SOME_ID], [5]),
        "merge_coins": lambda: net.merge_coins(signer),
        "get_validators": lambda: net.get_validators(),
        "list_staked_soma": lambda: net.list_staked_soma(addr),
        "add_stake": lambda: net.add_stake(signer, SOME_ID, 5),
        "withdraw_stake": lambda: net.withdraw_stake(signer, SOME_ID),
        "add_stake_to_model": lambda: net.add_stake_to_model(signer, SOME_ID, 5),
        "list_models": lambda: net.list_models(),
        "get_model": lambda: net.get_model(SOME_ID),
        "create_model": lambda: net.create_model(signer, 10**9, 0),
        "commit_model": lambda: net.commit_model(signer, spec),
        "reveal_model": lambda: net.reveal_model(signer, SOME_ID, bytes(32), [0.5] * 4),
        "deactivate_model": lambda: net.deactivate_model(signer, SOME_ID),
        "set_model_commission_rate": lambda: net.set_model_commission_rate(signer, SOME_ID, 5),
        "list_targets": lambda: net.list_targets(),
        "get_target": lambda: net.get_target(SOME_ID),
        "claim_rewards": lambda: net.claim_rewards(signer, SOME_ID),
        "advance_epoch": lambda: net.advance_epoch(),
        "weights_manifests": lambda: net.weights_manifests([SOME_ID]),
        "score_remote": lambda: net.score_remote("https://example.org/data.bin", scoring, [0.5] * 4,
                                                 bytes(32), 10, timeout_s=TIMEOUT_S),
    }


@pytest.mark.parametrize("kind", ["closed", "silent"])
def test_every_call_reports_unreachable(kind, tmp_path):
    async def scenario():
        async with _dead_endpoint(kind) as url:
            net = await open_sdk_network(url, faucet_url=url, scoring_url=url, admin_url=url,
                                         timeout_s=TIMEOUT_S, tx_timeout_s=2 * TIMEOUT_S)
            calls = _calls(net, fresh_signer(), tmp_path)
            # Concurrently: calls queued behind a hung one on the same soma-sdk client must time out too.
            outcomes = await asyncio.gather(*(asyncio.wait_for(call(), GUARD_S) for call in calls.values()),
                                            return_exceptions=True)
            failures = {}
            for name, outcome in zip(calls, outcomes):
                if isinstance(outcome, NetworkUnavailable) and str(outcome):
                    continue
                if isinstance(outcome, asyncio.TimeoutError):
                    failures[name] = "hung past the configured timeout"
                else:
                    failures[name] = repr(outcome)
            assert failures == {}
            assert await net.health() is False and net.last_error
            assert await net.scoring_health() is False
            await net.close()
    run(scenario())
