"""A pinned connection still verifies TLS for the host name: the right certificate passes, a certificate for
another name fails, and the server sees the host name in SNI and in the Host header."""

from __future__ import annotations

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import soma_desktop.publish.downloader as downloader
from soma_desktop.publish.downloader import DownloadError, UrlPolicy, stream_url

BODY = bytes(range(256)) * 4096   # 1 MiB


def _cert(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str | None, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append((self.headers.get("Host"), getattr(self.server, "sni", None)))
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        return


@pytest.fixture
def tls_server(tmp_path):
    cert, key = _cert(tmp_path, "blob.example.org")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)

    def remember_sni(sock, name, ctx):
        server.sni = name
    context.sni_callback = remember_sni
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Handler.seen = []
    yield server, cert
    server.shutdown()
    server.server_close()


def _fetch(monkeypatch, server, trust, host: str) -> bytes:
    monkeypatch.setattr(downloader, "is_denied", lambda address: str(address) != "127.0.0.1")  # test-only
    port = server.server_address[1]
    policy = UrlPolicy(allowed_ports=frozenset({port}), resolver=lambda name: ["127.0.0.1"])
    out = bytearray()
    with httpx.Client(verify=ssl.create_default_context(cafile=str(trust)), trust_env=False) as client:
        stream_url(f"https://{host}:{port}/blob", out.extend, expected_size=len(BODY), policy=policy, client=client)
    return bytes(out)


def test_pinned_connection_verifies_the_host_name(monkeypatch, tls_server):
    server, cert = tls_server
    assert _fetch(monkeypatch, server, cert, "blob.example.org") == BODY
    port = server.server_address[1]
    assert _Handler.seen == [(f"blob.example.org:{port}", "blob.example.org")]


def test_certificate_for_another_name_is_refused(monkeypatch, tls_server):
    server, cert = tls_server
    with pytest.raises(DownloadError):
        _fetch(monkeypatch, server, cert, "other.example.org")   # pinned to the same IP, wrong name
    assert _Handler.seen == []
