"""Finding 7: submit_data over soma-sdk, with the data hosted like weights and the distance checked first."""

from __future__ import annotations

import os

import pytest

from soma_desktop.network.base import list_all_targets
from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.types import Manifest, SubmitSpec, TargetStatus
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import UrlPolicy
from soma_desktop.publish.submission import SubmissionHostingError, host_submission
from tests.network.conftest import demo_signer, open_backend, run

MIB = 1 << 20


def _spec(target, manifest: Manifest, path, *, distance: float = 0.0) -> SubmitSpec:
    return SubmitSpec(target_id=target.id, data_manifest=manifest, model_id=target.model_ids[0],
                      embedding=target.embedding, distance_score=distance, loss_score=(2.5,), data_path=str(path))


def test_hosted_data_is_submitted_and_fills_the_target(tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(os.urandom(MIB))

    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            net = b.network
            target = (await list_all_targets(net, TargetStatus.OPEN))[0]
            with BlobServer(tmp_path / "blobs") as server:
                manifest = host_submission(data, blob_server=server, policy=UrlPolicy(allow_loopback=True))
            assert manifest.size == MIB and manifest.url.startswith("http://127.0.0.1:")
            result = await net.submit_data(demo_signer(), _spec(target, manifest, data))
            assert result.digest
            filled = await net.get_target(target.id)
            assert filled.status is TargetStatus.FILLED and filled.data_manifest == manifest
            assert filled.submitter == demo_signer().address
    run(scenario())


def test_too_far_a_submission_is_refused_before_sending(tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"x" * 4096)

    async def scenario():
        async with open_backend("sdk-fake", tmp_path) as b:
            target = (await list_all_targets(b.network, TargetStatus.OPEN))[0]
            from soma_desktop.core.crypto import blake2b256
            manifest = Manifest("https://data.example/d.bin", blake2b256(data.read_bytes()), 4096)
            with pytest.raises(InvalidInput, match="threshold"):
                await b.network.submit_data(demo_signer(), _spec(target, manifest, data, distance=1.5))
            wrong = Manifest(manifest.url, b"\0" * 32, 4096)
            with pytest.raises(InvalidInput, match="checksum"):
                await b.network.submit_data(demo_signer(), _spec(target, wrong, data))
            assert "submit_data" not in b.chain.calls
    run(scenario())


def test_a_url_serving_other_bytes_is_refused(tmp_path):
    data, other = tmp_path / "data.bin", tmp_path / "blobs" / "other.bin"
    data.write_bytes(b"a" * 1000)
    other.parent.mkdir()
    other.write_bytes(b"b" * 1000)
    with BlobServer(tmp_path / "blobs") as server, pytest.raises(SubmissionHostingError, match="different bytes"):
        host_submission(data, url=server.url_for("other.bin"), policy=UrlPolicy(allow_loopback=True))
