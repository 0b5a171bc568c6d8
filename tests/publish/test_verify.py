"""URL verification before commit: Range support, size, checksum and the decrypt round-trip."""

from __future__ import annotations

import functools
import hashlib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from soma_desktop.core import crypto
from soma_desktop.publish.downloader import UrlPolicy
from soma_desktop.publish.verify import verify_hosted
from tests.publish.publish_helpers import make_safetensors

LOOPBACK = UrlPolicy(allow_loopback=True)


@pytest.fixture
def encrypted(tmp_path):
    plain = make_safetensors(tmp_path / "m.safetensors", n=30_000)   # ~1 MB
    key = crypto.new_weights_key()
    enc = crypto.encrypt_file(plain, tmp_path / "m.enc", key)
    return enc, key, hashlib.sha256(plain.read_bytes()).digest()


def _check(url, enc, key, sha, **kw):
    return verify_hosted(url, size=enc.size, checksum=enc.checksum, key=key, plain_sha256=sha, policy=LOOPBACK, **kw)


def test_good_url_passes(blob_server, encrypted):
    enc, key, sha = encrypted
    report = _check(blob_server.publish(enc.path, "m.bin"), enc, key, sha)
    assert report.ok and report.bytes_read == enc.size, report.problems
    assert '"ok": true' in report.to_json() and key.hex() not in report.to_json()


def test_server_without_range_support_blocks(tmp_path, encrypted):
    enc, key, sha = encrypted
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        report = _check(f"http://127.0.0.1:{server.server_address[1]}/m.enc", enc, key, sha)
    finally:
        server.shutdown()
        server.server_close()
    assert not report.ok and not report.range_ok and "Range" in report.problems[0]


def test_truncated_or_padded_file_blocks(tmp_path, blob_server, encrypted):
    enc, key, sha = encrypted
    data = enc.path.read_bytes()
    (tmp_path / "short.bin").write_bytes(data[:-1])
    (tmp_path / "long.bin").write_bytes(data + b"\0")
    for name in ("short.bin", "long.bin"):
        report = _check(blob_server.publish(tmp_path / name, name), enc, key, sha)
        assert not report.ok and report.problems


def test_wrong_key_or_changed_plaintext_blocks(blob_server, encrypted):
    enc, key, sha = encrypted
    url = blob_server.publish(enc.path, "m.bin")
    wrong_key = _check(url, enc, crypto.new_weights_key(), sha)
    assert wrong_key.checksum_ok and not wrong_key.decrypt_ok and not wrong_key.ok
    changed = _check(url, enc, key, hashlib.sha256(b"another file").digest())
    assert not changed.ok and "differs" in changed.problems[0]


def test_non_loopback_http_is_refused(encrypted):
    enc, key, sha = encrypted
    report = verify_hosted("http://example.com/m.bin", size=enc.size, checksum=enc.checksum, key=key,
                           policy=UrlPolicy(resolve=False))
    assert not report.ok and "https" in report.problems[0]
