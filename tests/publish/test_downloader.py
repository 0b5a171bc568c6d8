"""The safe downloader against real local servers: caps, deadline, encodings, redirects, checksums, cache."""

from __future__ import annotations

import gzip
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from soma_desktop.core import crypto
from soma_desktop.network.types import Manifest
from soma_desktop.publish.downloader import (
    ChecksumMismatch,
    DownloadError,
    Limits,
    UnsafeUrl,
    UrlPolicy,
    WeightsCache,
    download,
    fetch_model_weights,
    stream_url,
)
from tests.publish.publish_helpers import make_safetensors

LOOPBACK = UrlPolicy(allow_loopback=True)
BODY = os.urandom(300_000)


class _Evil(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"   # close-delimited bodies allowed

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        if path == "/gzip":
            payload = gzip.compress(BODY)
            self._send(200, payload, {"Content-Encoding": "gzip"})
        elif path == "/endless":                      # no Content-Length, streams until the client gives up
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                return
        elif path == "/huge-length":
            self.send_response(200)
            self.send_header("Content-Length", str(10 ** 12))
            self.end_headers()
        elif path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[:1000])
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            try:
                for i in range(0, len(BODY), 50):
                    self.wfile.write(BODY[i:i + 50])
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                return
        elif path == "/norange":
            self._send(200, BODY)
        elif path == "/to-private":
            self._send(302, b"", {"Location": "https://10.1.2.3/blob"})
        elif path == "/to-body":
            self._send(302, b"", {"Location": "/norange"})
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def evil():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Evil)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def hosted(tmp_path, blob_server):
    (tmp_path / "body.bin").write_bytes(BODY)
    return blob_server.publish(tmp_path / "body.bin", "body.bin")


def _get(url: str, dest: Path, **kw):
    kw.setdefault("expected_size", len(BODY))
    kw.setdefault("expected_checksum", crypto.blake2b256(BODY))
    return download(url, dest, policy=kw.pop("policy", LOOPBACK), **kw)


def test_download_verifies_and_moves_atomically(tmp_path, hosted):
    dest = _get(hosted, tmp_path / "out" / "file.enc")
    assert dest.read_bytes() == BODY
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    parts = _get(hosted, tmp_path / "out" / "parts.enc", part_size=64 * 1024)
    assert parts.read_bytes() == BODY


def test_checksum_or_size_mismatch_leaves_nothing(tmp_path, hosted):
    dest = tmp_path / "out" / "file.enc"
    with pytest.raises(ChecksumMismatch):
        _get(hosted, dest, expected_checksum=crypto.blake2b256(b"other"))
    with pytest.raises(ChecksumMismatch):
        _get(hosted, dest, expected_size=len(BODY) - 1)
    with pytest.raises(ChecksumMismatch):
        _get(hosted, dest, expected_size=len(BODY) + 1, part_size=64 * 1024)
    assert list(dest.parent.iterdir()) == []


def test_compressed_responses_are_refused(tmp_path, evil):
    with pytest.raises(DownloadError, match="compressed"):
        _get(f"{evil}/gzip", tmp_path / "f")


def test_raw_byte_cap(tmp_path, evil):
    received = []
    with pytest.raises(DownloadError, match="more bytes"):
        stream_url(f"{evil}/endless", received.append, expected_size=None, policy=LOOPBACK,
                   limits=Limits(max_bytes=1_000_000))
    assert sum(map(len, received)) <= 1_000_000
    with pytest.raises(DownloadError, match="limit"):
        stream_url(f"{evil}/huge-length", received.append, expected_size=None, policy=LOOPBACK,
                   limits=Limits(max_bytes=1_000_000))
    with pytest.raises(DownloadError, match="limit"):
        _get(f"{evil}/norange", tmp_path / "f", limits=Limits(max_bytes=1000))


def test_short_body_fails(tmp_path, evil):
    with pytest.raises(DownloadError):
        _get(f"{evil}/short", tmp_path / "f")
    assert not (tmp_path / "f").exists()


def test_total_deadline(tmp_path, evil):
    with pytest.raises(DownloadError, match="longer than"):
        _get(f"{evil}/drip", tmp_path / "f", limits=Limits(deadline_s=0.3))


def test_minimum_throughput(tmp_path, evil):
    with pytest.raises(DownloadError, match="too slow"):
        _get(f"{evil}/drip", tmp_path / "f", limits=Limits(min_rate=10 ** 9, rate_grace_s=0.1))


def test_server_ignoring_range_fails_part_download(tmp_path, evil):
    with pytest.raises(DownloadError, match="Range"):
        _get(f"{evil}/norange", tmp_path / "f", part_size=64 * 1024)


def test_redirects_are_revalidated(tmp_path, evil):
    with pytest.raises(UnsafeUrl):
        _get(f"{evil}/to-private", tmp_path / "f")
    assert _get(f"{evil}/to-body", tmp_path / "f").read_bytes() == BODY
    with pytest.raises(DownloadError, match="redirects"):
        _get(f"{evil}/loop", tmp_path / "f")


@pytest.mark.parametrize("url", [
    "http://example.com/x", "https://user:pw@example.com/x", "https://10.0.0.8/x", "https://192.168.1.1/x",
    "https://169.254.169.254/latest", "https://[::1]/x", "https://127.0.0.1/x", "https://0.0.0.0/x",
    "https://[fe80::1]/x", "https://224.0.0.1/x", "https://example.com:8443/x", "ftp://example.com/x",
    "not a url", "https:///nohost",
])
def test_url_policy_rejects(url):
    with pytest.raises(DownloadError):
        UrlPolicy(resolve=False).check(url)


def test_url_policy_accepts_public_https_and_loopback_only_when_allowed():
    UrlPolicy(resolve=False).check("https://bucket.example.com/weights.bin")
    UrlPolicy(resolve=False, allowed_ports=frozenset({8443})).check("https://example.com:8443/x")
    UrlPolicy(allow_loopback=True).check("http://127.0.0.1:8080/x")
    with pytest.raises(UnsafeUrl):
        UrlPolicy().check("http://127.0.0.1:8080/x")


def _encrypted_model(tmp_path: Path, blob_server, name: str, seed: int) -> tuple[Manifest, bytes, bytes]:
    plain = make_safetensors(tmp_path / f"{name}.safetensors", n=2000, seed=seed)
    key = crypto.new_weights_key()
    enc = crypto.encrypt_file(plain, tmp_path / f"{name}.enc", key)
    url = blob_server.publish(enc.path, f"{enc.checksum_b58}.bin")
    return Manifest(url, enc.checksum, enc.size), key, plain.read_bytes()


def test_fetch_model_weights_decrypts_caches_and_evicts(tmp_path, blob_server):
    cache_dir = tmp_path / "cache"
    first = _encrypted_model(tmp_path, blob_server, "a", 1)
    second = _encrypted_model(tmp_path, blob_server, "b", 2)
    cap = len(first[2]) + len(second[2]) // 2       # room for one model only
    path_a = fetch_model_weights(first[0], first[1], cache_dir, policy=LOOPBACK, max_cache_bytes=cap,
                                 part_size=16 * 1024)
    assert path_a.read_bytes() == first[2]
    blob_server.stop()                               # a cache hit needs no network
    assert fetch_model_weights(first[0], first[1], cache_dir, policy=LOOPBACK, max_cache_bytes=cap) == path_a
    blob_server.start()
    moved = Manifest(second[0].url.replace(second[0].url.split("/")[2], f"127.0.0.1:{blob_server.port}"),
                     second[0].checksum, second[0].size)
    path_b = fetch_model_weights(moved, second[1], cache_dir, policy=LOOPBACK, max_cache_bytes=cap)
    assert path_b.read_bytes() == second[2]
    assert not path_a.exists()                       # least recently used entry evicted
    assert WeightsCache(cache_dir).entries() == [path_b]
    assert [p.name for p in cache_dir.iterdir()] == [path_b.name]   # no temp or encrypted leftovers


def test_fetch_model_weights_with_wrong_key_caches_nothing(tmp_path, blob_server):
    manifest, _key, _plain = _encrypted_model(tmp_path, blob_server, "a", 1)
    with pytest.raises(DownloadError, match="not safetensors"):
        fetch_model_weights(manifest, crypto.new_weights_key(), tmp_path / "cache", policy=LOOPBACK)
    assert list((tmp_path / "cache").iterdir()) == []
