"""The built-in blob server against hostile peers: huge Range numbers, huge headers, idle and excess sockets."""

from __future__ import annotations

import os
import socket
import time

import httpx
import pytest

from soma_desktop.publish.blob_server import BlobServer

DATA = os.urandom(1024 * 1024 + 7)


@pytest.fixture
def server(tmp_path):
    (tmp_path / "src.bin").write_bytes(DATA)
    with BlobServer(tmp_path / "root", max_connections=3, idle_timeout_s=0.5) as srv:
        srv.publish(tmp_path / "src.bin", "blob.bin")
        yield srv


@pytest.mark.parametrize("header", ["bytes=" + "9" * 5000 + "-", "bytes=" + "1" * 4000 + "-" + "2" * 4000])
def test_range_of_thousands_of_digits_gets_416(server, header):
    response = httpx.get(server.url_for("blob.bin"), headers={"Range": header}, timeout=10)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header,start", [("bytes=-" + "9" * 3000, 0), ("bytes=5-" + "9" * 3000, 5)])
def test_huge_end_or_suffix_is_clipped_to_the_file(server, header, start):
    response = httpx.get(server.url_for("blob.bin"), headers={"Range": header}, timeout=10)
    assert response.status_code == 206 and response.content == DATA[start:]


def test_overlong_header_gets_a_status_not_a_dropped_connection(server):
    response = httpx.get(server.url_for("blob.bin"), headers={"X-Junk": "a" * 20_000}, timeout=10)
    assert response.status_code == 431


def _connect(server: BlobServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def test_idle_connection_is_closed(server):
    with _connect(server) as sock:
        assert sock.recv(1) == b""      # the server hung up; before the fix this recv waited forever


def test_connections_beyond_the_limit_get_503_and_the_server_recovers(server):
    idle = [_connect(server) for _ in range(3)]
    try:
        with _connect(server) as extra:
            extra.sendall(b"GET /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(64).startswith(b"HTTP/1.1 503")
    finally:
        for sock in idle:
            sock.close()
    for _ in range(200):   # the closed sockets' handler threads free their slots as they notice EOF
        response = httpx.get(server.url_for("blob.bin"), headers={"Range": "bytes=0-9"}, timeout=10)
        if response.status_code != 503:
            break
        time.sleep(0.01)
    assert response.status_code == 206 and response.content == DATA[:10]


@pytest.mark.parametrize("port", [99999, -1, 65536])
def test_a_bad_remembered_port_falls_back_to_any_free_port(tmp_path, port):
    """publish/blobs/port is a file in the data dir: a damaged value must not stop publishing."""
    with BlobServer(tmp_path, port=port) as srv:
        assert 0 < srv.port < 65536
