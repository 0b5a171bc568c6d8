"""Upload by HTTP PUT to a pre-signed URL, against a real local server that misbehaves on purpose."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from soma_desktop.publish.presigned_put import UploadCancelled, UploadError, upload_presigned

PAYLOAD = os.urandom(3 * 1024 * 1024 + 17)
SIGNATURE = "X-Amz-Signature=deadbeefcafe"


class _Bucket(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        return

    def do_PUT(self) -> None:  # noqa: N802
        state = self.server.state
        state["requests"].append({k.lower(): v for k, v in self.headers.items()})
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = state["script"].pop(0) if state["script"] else 200
        if len(body) != int(self.headers.get("Content-Length", "0")):
            status = 400                    # like S3: a body shorter than Content-Length is rejected
        if status == 200:
            state["stored"] = body
        self.send_response(status)
        self.send_header("ETag", '"abc"')
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def bucket():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bucket)
    server.daemon_threads = True
    server.state = {"requests": [], "script": [], "stored": None}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.state, f"http://127.0.0.1:{server.server_address[1]}/bucket/weights.bin?{SIGNATURE}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def payload_file(tmp_path):
    path = tmp_path / "weights.enc"
    path.write_bytes(PAYLOAD)
    return path


def test_first_attempt_fails_then_succeeds(bucket, payload_file):
    state, url = bucket
    state["script"] = [503]
    progress, sleeps = [], []
    result = upload_presigned(payload_file, url, progress=lambda done, total: progress.append((done, total)),
                              sleep=sleeps.append)
    assert result.attempts == 2 and result.size == len(PAYLOAD) and result.etag == '"abc"'
    assert state["stored"] == PAYLOAD
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 1.0
    assert progress[-1] == (len(PAYLOAD), len(PAYLOAD))
    for headers in state["requests"]:     # pre-signed PUTs need a plain Content-Length body, never chunked
        assert headers["content-length"] == str(len(PAYLOAD)) and "transfer-encoding" not in headers


def test_expired_url_is_not_retried_and_not_leaked(bucket, payload_file):
    state, url = bucket
    state["script"] = [403]
    with pytest.raises(UploadError) as err:
        upload_presigned(payload_file, url, sleep=lambda s: None)
    assert len(state["requests"]) == 1
    assert "expired" in str(err.value) and SIGNATURE not in str(err.value)


def test_bounded_retries(bucket, payload_file):
    state, url = bucket
    state["script"] = [500, 502, 503, 504, 500]
    with pytest.raises(UploadError, match="after 3 attempts"):
        upload_presigned(payload_file, url, max_attempts=3, sleep=lambda s: None)
    assert len(state["requests"]) == 3 and state["stored"] is None


def test_cancel(bucket, payload_file):
    state, url = bucket
    calls = []
    with pytest.raises(UploadCancelled):
        upload_presigned(payload_file, url, progress=lambda d, t: calls.append(d), cancelled=lambda: bool(calls),
                         sleep=lambda s: None)
    assert state["stored"] is None


def test_unreachable_host_retries_then_fails(payload_file):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = []
    with pytest.raises(UploadError, match="after 2 attempts") as err:
        upload_presigned(payload_file, f"http://127.0.0.1:{port}/x?{SIGNATURE}", max_attempts=2, sleep=sleeps.append)
    assert len(sleeps) == 1 and SIGNATURE not in str(err.value)


def test_runner_uploads_then_verifies_the_public_url(tmp_path, blob_server, bucket, wrapping_key):
    """Pre-signed PUT (first attempt fails) -> public GET URL on a Range-capable server -> verified."""
    import asyncio

    from soma_desktop.publish.journal import JobState, Journal
    from soma_desktop.publish.runner import PublishRunner
    from tests.publish.publish_helpers import TestSigner, embedding, make_safetensors, open_test_sandbox

    state, put_url = bucket
    state["script"] = [503]

    async def main():
        net = open_test_sandbox(tmp_path / "sandbox.db")
        journal = Journal(tmp_path / "publish.db", wrapping_key)
        runner = PublishRunner(journal, net, TestSigner(), work_dir=tmp_path / "work")
        job = runner.start_publish()
        await runner.set_weights(job.id, make_safetensors(tmp_path / "m.safetensors"))
        await runner.set_embedding(job.id, embedding())
        job = await runner.encrypt(job.id)
        seen = []
        job = await runner.host_presigned(job.id, put_url, blob_server.url_for("public.bin"),
                                          progress=lambda d, t: seen.append(d), sleep=lambda s: None)
        assert job.state is JobState.HOSTED and job.hosting == "presigned" and SIGNATURE not in job.url
        (blob_server.root / "public.bin").write_bytes(state["stored"])   # the bucket publishes what it got
        job = await runner.verify(job.id)
        assert job.state is JobState.UPLOAD_VERIFIED, job.last_error
        assert len(state["requests"]) == 2 and seen[-1] == job.size
        journal.close()
        await net.close()
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("publish.db*"))
        assert SIGNATURE.encode() not in stored            # the pre-signed credential is never persisted

    asyncio.run(main())
