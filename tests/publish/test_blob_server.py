"""Range conformance of the built-in blob server, checked with httpx against a real socket."""

from __future__ import annotations

import os
import socket

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.publish.blob_server import BlobServer, parse_range

DATA = os.urandom(3 * 1024 * 1024 + 123)


@pytest.fixture
def served(tmp_path, blob_server):
    (tmp_path / "blob.bin").write_bytes(DATA)
    url = blob_server.publish(tmp_path / "blob.bin", "blob.bin")
    with httpx.Client(timeout=10) as client:
        yield client, url, blob_server


def test_full_get_and_head(served):
    client, url, _ = served
    full = client.get(url)
    assert full.status_code == 200 and full.content == DATA
    assert full.headers["Content-Length"] == str(len(DATA)) and full.headers["Accept-Ranges"] == "bytes"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["Content-Length"] == str(len(DATA))
    ranged_head = client.head(url, headers={"Range": "bytes=10-19"})
    assert ranged_head.status_code == 206 and ranged_head.headers["Content-Length"] == "10"


@pytest.mark.parametrize("header,start,end", [
    ("bytes=0-0", 0, 0),
    ("bytes=0-5242879", 0, len(DATA) - 1),           # a 5 MiB part past the end is clipped
    ("bytes=1048576-2097151", 1048576, 2097151),
    ("bytes=100-", 100, len(DATA) - 1),
    ("bytes=-500", len(DATA) - 500, len(DATA) - 1),
    ("bytes=-99999999", 0, len(DATA) - 1),
])
def test_single_ranges(served, header, start, end):
    client, url, _ = served
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.content == DATA[start:end + 1]


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", f"bytes={len(DATA) + 5}-{len(DATA) + 9}", "bytes=-0"])
def test_unsatisfiable_range_is_416(served, header):
    client, url, _ = served
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=9-3"])
def test_malformed_or_multi_range_serves_whole_file(served, header):
    client, url, _ = served
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 200 and response.content == DATA


def _raw_get(port: int, target: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def test_no_listing_no_traversal_no_hidden_no_symlinks(tmp_path, served):
    client, url, server = served
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (server.root / ".hidden").write_text("hidden")
    (server.root / "sub").mkdir()
    (server.root / "sub" / "x.bin").write_text("nested")
    os.symlink(secret, server.root / "link.bin")
    for target in ["/", "/sub", "/sub/x.bin", "/.hidden", "/link.bin", "/../secret.txt", "/%2e%2e/secret.txt",
                   "/..%2fsecret.txt", "//etc/passwd", "/blob.bin/..", "http://evil/../../secret.txt",
                   "/" + str(secret)]:
        assert _raw_get(server.port, target) == 404, target
    assert client.get(url).status_code == 200


def test_publish_never_overwrites_a_live_blob(tmp_path, blob_server):
    (tmp_path / "a").write_bytes(b"first")
    (tmp_path / "b").write_bytes(b"second")
    url = blob_server.publish(tmp_path / "a", "same.bin")
    assert blob_server.publish(tmp_path / "b", "same.bin") == url
    assert httpx.get(url).content == b"first"
    with pytest.raises(ValueError):
        blob_server.publish(tmp_path / "a", "../escape.bin")


def test_preferred_port_falls_back_when_taken(tmp_path, blob_server):
    with BlobServer(tmp_path / "other", port=blob_server.port) as second:
        assert second.port != blob_server.port


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, 10_000), first=st.one_of(st.none(), st.integers(0, 12_000)),
       last=st.one_of(st.none(), st.integers(0, 12_000)))
def test_parse_range_matches_rfc9110(size, first, last):
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    result = parse_range(header, size)
    if first is None and last is None:
        assert result is None
    elif first is None:
        expected = "unsatisfiable" if last == 0 or size == 0 else (max(0, size - last), size - 1)
        assert result == expected
    elif last is not None and last < first:
        assert result is None
    elif first >= size:
        assert result == "unsatisfiable"
    else:
        assert result == (first, min(size - 1, last if last is not None else size - 1))
