"""The URL policy denies every special-purpose address in every IPv6 disguise, and the downloader connects to
the address that was checked (a second DNS answer cannot rebind it to 127.0.0.1)."""

from __future__ import annotations

import socket

import httpx
import pytest

from soma_desktop.publish.downloader import Checked, DownloadError, Limits, UnsafeUrl, UrlPolicy, stream_url

DENIED = [
    "100.64.0.1", "100.127.255.254",              # CGNAT
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "169.254.169.254",
    "192.0.0.9", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.5", "224.0.0.1", "240.0.0.1",
    "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1", "2001:db8::1", "fec0::1", "100::1",
    "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:100.64.0.1",     # IPv4-mapped
    "::10.0.0.1",                                                    # IPv4-compatible
    "2002:a00:1::1", "2002:7f00:1::1", "2002:6440:1::1",             # 6to4 of 10/8, 127/8, 100.64/10
    "2002:808:808::1",                                               # 6to4 at all (deprecated relay space)
    "64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b::6440:1",          # NAT64 of private addresses
    "64:ff9b:1::a00:1",                                              # local-use NAT64
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",                          # Teredo
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b::808:808"]


def _url(address: str) -> str:
    return f"https://[{address}]/blob" if ":" in address else f"https://{address}/blob"


@pytest.mark.parametrize("address", DENIED)
def test_special_purpose_addresses_are_denied(address):
    with pytest.raises(UnsafeUrl):
        UrlPolicy().check(_url(address))
    with pytest.raises(UnsafeUrl):   # the same address behind a host name
        UrlPolicy(resolver=lambda host: [address]).check("https://blob.example.org/x")


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert UrlPolicy().check(_url(address)).scheme == "https"
    checked = UrlPolicy(resolver=lambda host: [address]).pin("https://blob.example.org:443/x")
    assert checked.address == address


def test_any_denied_answer_among_several_refuses():
    with pytest.raises(UnsafeUrl):
        UrlPolicy(resolver=lambda host: ["8.8.8.8", "100.64.3.3"]).check("https://blob.example.org/x")


def test_pinned_request_keeps_host_name_for_tls_and_host_header():
    checked = Checked(httpx.URL("https://blob.example.org:8443/a/b?c=1"), "2606:4700::1111")
    url, headers, extensions = checked.request_target()
    assert str(url) == "https://[2606:4700::1111]:8443/a/b?c=1"
    assert headers == {"Host": "blob.example.org:8443"} and extensions == {"sni_hostname": "blob.example.org"}


def test_dns_rebinding_cannot_reach_loopback(monkeypatch):
    """The policy's lookup answers a public address, every later lookup 127.0.0.1 (where a server listens)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    answers = iter(["93.184.216.34"])
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def rebinding_getaddrinfo(host, *args, **kwargs):
        if host == "rebind.example.org":
            address = next(answers, "127.0.0.1")
            return real_getaddrinfo(address, *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    connects: list[tuple[str, int]] = []

    def guarded_connect(address, *args, **kwargs):
        connects.append(tuple(address[:2]))
        if address[0] not in ("127.0.0.1", "localhost", "rebind.example.org"):
            raise ConnectionRefusedError("test: no outside network")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", guarded_connect)
    policy = UrlPolicy(allowed_ports=frozenset({port}))
    try:
        with pytest.raises(DownloadError):
            stream_url(f"https://rebind.example.org:{port}/blob", lambda chunk: None, expected_size=None,
                       policy=policy, limits=Limits(connect_timeout_s=2, read_timeout_s=2, deadline_s=10))
        with pytest.raises(BlockingIOError):
            listener.accept()          # nobody reached the loopback server
        assert connects == [("93.184.216.34", port)]
    finally:
        listener.close()
