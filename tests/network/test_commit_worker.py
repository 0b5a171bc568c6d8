"""The commit worker child process (real soma-sdk inside), driven through SdkNetwork's plumbing."""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

import pytest

from soma_desktop.network.errors import InvalidInput, NetworkUnavailable, StatusUnknown
from soma_desktop.network.sdk import open_sdk_network
from soma_desktop.network.sdk.commit import run_commit_worker
from soma_desktop.network.sdk.commit_worker import to_plain
from tests.network.conftest import fresh_signer, run
from tests.network.test_unreachable import _closed_port, _dead_endpoint

MODEL = "0x" + "12" * 32
KEY_B58 = "11111111111111111111111111111111"


def test_to_plain_keeps_the_effects_shape():
    tree = NS(V1=NS(status="Success", changed_objects=[("0x1", NS(id_operation="Created"))],
                    rates={3: NS(a=1)}, contents=b"\x01\x02"))
    assert to_plain(tree) == {"V1": {"status": "Success", "changed_objects": [["0x1", {"id_operation": "Created"}]],
                                     "rates": {"3": {"a": 1}}, "contents": [1, 2]}}
    json.dumps(to_plain(tree))


def _request(rpc_url: str, path: str, timeout_s: float) -> dict:
    return {"rpc_url": rpc_url, "model_id": MODEL, "weights_url": "https://w.example.org/a.enc", "path": path,
            "decryption_key": KEY_B58, "embedding": [0.5, 0.25], "timeout_s": timeout_s,
            "secret_hex": fresh_signer().secret_key().hex()}


def test_worker_reports_sdk_errors(tmp_path):
    weights = tmp_path / "w.enc"
    weights.write_bytes(b"\x07" * 100)

    async def scenario():
        closed = f"http://127.0.0.1:{_closed_port()}"
        refused = await run_commit_worker(json.dumps(_request(closed, str(weights), 5.0)).encode(), 60)
        assert refused["error"]["type"] == "RuntimeError" and "tcp connect error" in refused["error"]["message"]
        bad = _request(closed, str(weights), 5.0)
        bad["decryption_key"] = "0OIl"
        invalid = await run_commit_worker(json.dumps(bad).encode(), 60)
        assert invalid["error"]["type"] == "ValueError"
        missing = await run_commit_worker(json.dumps(_request(closed, str(tmp_path / "nope"), 5.0)).encode(), 60)
        assert missing["error"]["type"] == "ValueError"
        garbage = await run_commit_worker(b"{not json", 60)
        assert garbage["error"]["type"] == "ValueError"
        async with _dead_endpoint("silent") as url:
            silent = await run_commit_worker(json.dumps(_request(url, str(weights), 0.5)).encode(), 60)
        assert silent["error"]["type"] == "TimeoutError"
    run(scenario())


def test_network_maps_worker_replies(tmp_path):
    weights = tmp_path / "w.enc"
    weights.write_bytes(b"\x07" * 100)

    async def scenario():
        signer = fresh_signer()
        net = await open_sdk_network(f"http://127.0.0.1:{_closed_port()}", timeout_s=0.5, tx_timeout_s=1.0)
        args = (MODEL, "https://w.example.org/a.enc", weights, KEY_B58, [0.5, 0.25])
        with pytest.raises(NetworkUnavailable):
            await net._commit_in_child(signer, *args)
        async with _dead_endpoint("silent") as url:
            silent = await open_sdk_network(url, timeout_s=0.5, tx_timeout_s=0.5)
            with pytest.raises(StatusUnknown):
                await silent._commit_in_child(signer, *args)
        with pytest.raises(InvalidInput):
            await net._commit_in_child(signer, MODEL, "https://w.example.org/a.enc", weights, "bad!", [0.5])
    run(scenario())


def test_overrunning_worker_is_killed_and_status_unknown(tmp_path):
    """The child hangs on a silent node for 60 s; the parent's 0.5 s budget kills it."""
    weights = tmp_path / "w.enc"
    weights.write_bytes(b"\x07" * 100)

    async def scenario():
        async with _dead_endpoint("silent") as url:
            with pytest.raises(StatusUnknown):
                await run_commit_worker(json.dumps(_request(url, str(weights), 60.0)).encode(), 0.5)
    run(scenario())
