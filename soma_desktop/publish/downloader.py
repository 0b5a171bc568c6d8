"""The safe downloader (security.md §6.3) and the decrypted-weights cache used by the Evaluate panel.

Untrusted URLs: https only (plain http only to loopback behind `UrlPolicy.allow_loopback`), no userinfo, no
private/link-local/multicast/special-purpose addresses (address_policy), the connection made to the very
address that was checked (no second DNS answer: DNS rebinding) with TLS still verified for the host name,
redirects followed by hand and re-validated, `Accept-Encoding:
identity` with any Content-Encoding rejected, raw bytes counted against a cap, a total deadline, a minimum
throughput, and size + Blake2b-256 verified before the file is atomically moved into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from soma_desktop.core import crypto
from soma_desktop.core.storage import atomic_output
from soma_desktop.network.types import Manifest
from soma_desktop.publish.address_policy import is_denied

PART_SIZE = 5 * 1024 * 1024          # validators' Range part size (blobs::MIN_PART_SIZE)
MAX_REDIRECTS = 5
_CONTENT_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
DEFAULT_MAX_BYTES = 8 * 1024 ** 3    # 8 GiB: a full V1 model is 4.84 GB

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class DownloadError(Exception):
    """A download was refused or failed; the message is fit for the user."""


class UnsafeUrl(DownloadError):
    """The URL is not allowed by the policy (scheme, userinfo, private address...)."""


class ChecksumMismatch(DownloadError):
    """The bytes differ from the manifest (size or Blake2b-256)."""


Resolver = Callable[[str], list[str]]


def system_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise DownloadError(f"cannot resolve host {host}") from None
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Checked:
    """A URL that passed the policy and the address to connect to (None: connect by name, e.g. loopback)."""

    url: httpx.URL
    address: str | None = None

    def request_target(self) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
        """(URL to connect to, extra headers, request extensions): the pinned IP in the URL, the real host in
        the Host header and as the TLS server name, so certificates are still verified for the host name."""
        if self.address is None:
            return self.url, {}, {}
        extensions = {"sni_hostname": self.url.host} if self.url.scheme == "https" else {}
        return (self.url.copy_with(host=self.address), {"Host": self.url.netloc.decode("ascii")}, extensions)


@dataclass(frozen=True)
class UrlPolicy:
    allow_loopback: bool = False         # sandbox/localnet: http://127.0.0.1 and localhost
    allowed_ports: frozenset[int] = frozenset()  # extra https ports besides 443
    resolve: bool = True                 # resolve host names and check every address
    resolver: Resolver = field(default=system_resolver, compare=False, repr=False)

    def check(self, url: str) -> httpx.URL:
        return self.pin(url).url

    def pin(self, url: str) -> Checked:
        """Validate `url`; resolve its host once and return the checked address to connect to."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise UnsafeUrl("not a valid URL") from None
        host = (parsed.host or "").lower()
        if not host:
            raise UnsafeUrl("the URL has no host")
        if parsed.userinfo:
            raise UnsafeUrl("URLs with a user name or password are not allowed")
        loopback = _is_loopback_host(host)
        if loopback:
            if not self.allow_loopback:
                raise UnsafeUrl("local addresses are only allowed on sandbox and localnet")
            if parsed.scheme not in ("http", "https"):
                raise UnsafeUrl("only http(s) URLs are allowed")
            return Checked(parsed)
        if parsed.scheme != "https":
            raise UnsafeUrl("only https URLs are allowed")
        if parsed.port not in (None, 443) and parsed.port not in self.allowed_ports:
            raise UnsafeUrl(f"port {parsed.port} is not allowed")
        literal = _literal(host)
        addresses = [literal] if literal is not None else self._lookup(host)
        for address in addresses:
            if is_denied(address):
                raise UnsafeUrl("the URL points to a private or local network address")
        if literal is not None or not addresses:
            return Checked(parsed)
        return Checked(parsed, str(addresses[0]))

    def _lookup(self, host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        if not self.resolve:
            return []
        answers = self.resolver(host)
        if not answers:
            raise DownloadError(f"cannot resolve host {host}")
        try:
            return [ipaddress.ip_address(a) for a in answers]
        except ValueError:
            raise UnsafeUrl("the host name resolves to an invalid address") from None


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]"))
    return None


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    address = _literal(host)
    return address is not None and address.is_loopback and not (
        isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    deadline_s: float = 3600.0           # whole download, all parts and redirects
    min_rate: int = 10 * 1024            # bytes/s averaged over `rate_grace_s`
    rate_grace_s: float = 60.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0


class DownloadClock:
    """The total deadline and minimum throughput of one download (all parts and redirects)."""

    def __init__(self, limits: Limits):
        self.limits, self.start = limits, time.monotonic()

    def remaining(self) -> float:
        left = self.limits.deadline_s - (time.monotonic() - self.start)
        if left <= 0:
            raise DownloadError(f"download took longer than {self.limits.deadline_s:.0f} s")
        return left

    def timeout(self) -> httpx.Timeout:
        left = self.remaining()
        return httpx.Timeout(connect=min(self.limits.connect_timeout_s, left),
                             read=min(self.limits.read_timeout_s, left), write=min(30.0, left), pool=5.0)

    def check_rate(self, done: int) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed > self.limits.rate_grace_s and done < self.limits.min_rate * elapsed:
            raise DownloadError("the download is too slow (server stalled)")


def make_client() -> httpx.Client:
    # trust_env=False: proxies and CA bundles come from explicit settings, not ambient variables.
    return httpx.Client(follow_redirects=False, trust_env=False, verify=True,
                        headers={"Accept-Encoding": "identity"})


def open_stream(client: httpx.Client, url: str, policy: UrlPolicy, clock: DownloadClock,
                headers: dict[str, str] | None = None) -> httpx.Response:
    """GET with manual, re-validated redirects. The caller must close the returned streaming response."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target, host_header, extensions = policy.pin(current).request_target()
        request = client.build_request("GET", target, timeout=clock.timeout(), extensions=extensions,
                                       headers={"Accept-Encoding": "identity", **(headers or {}), **host_header})
        try:
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise DownloadError("the server did not answer in time") from None
        except httpx.HTTPError as exc:
            raise DownloadError(f"cannot download: {type(exc).__name__}") from None
        if response.is_redirect:
            location = response.headers.get("Location", "")
            response.close()
            current = str(httpx.URL(current).join(location))
            continue
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            response.close()
            raise DownloadError(f"the server compressed the file ({encoding}); refusing it")
        return response
    raise DownloadError("too many redirects")


def stream_url(url: str, sink: Callable[[bytes], None], *, expected_size: int | None, policy: UrlPolicy,
               limits: Limits = Limits(), progress: Progress | None = None, cancelled: Cancelled | None = None,
               part_size: int | None = None, client: httpx.Client | None = None) -> int:
    """Stream the body of `url` into `sink`, enforcing every limit; returns the byte count.

    With `part_size` and a known size larger than it, fetch sequential `Range` parts the way validators do,
    each required to be a 206 of exactly the requested length.
    """
    if expected_size is not None and expected_size > limits.max_bytes:
        raise DownloadError(f"the file is {expected_size} bytes; the limit is {limits.max_bytes}")
    own = client is None
    client = client or make_client()
    clock = DownloadClock(limits)
    try:
        if part_size and expected_size is not None and expected_size > part_size:
            done = 0
            while done < expected_size:
                end = min(done + part_size, expected_size) - 1
                done = _fetch(client, url, policy, clock, sink, done, expected_size, progress, cancelled,
                              (done, end))
            return done
        return _fetch(client, url, policy, clock, sink, 0, expected_size, progress, cancelled, None)
    finally:
        if own:
            client.close()


def _fetch(client: httpx.Client, url: str, policy: UrlPolicy, clock: DownloadClock, sink: Callable[[bytes], None],
           done: int, expected: int | None, progress: Progress | None, cancelled: Cancelled | None,
           span: tuple[int, int] | None) -> int:
    headers = {"Range": f"bytes={span[0]}-{span[1]}"} if span else None
    response = open_stream(client, url, policy, clock, headers)
    with contextlib.closing(response):
        want = check_response(response, span, expected, clock.limits.max_bytes)
        cap = done + want if want is not None else clock.limits.max_bytes
        try:
            for chunk in response.iter_raw():  # no chunk_size: httpx would buffer up to it, hiding stalls
                done += len(chunk)
                if done > cap:
                    raise DownloadError("the server sent more bytes than announced or allowed")
                sink(chunk)
                if progress:
                    progress(done, expected or 0)
                if cancelled and cancelled():
                    raise InterruptedError("download cancelled")
                clock.remaining()
                clock.check_rate(done)
        except httpx.TimeoutException:
            raise DownloadError("the server stopped sending data") from None
        except httpx.HTTPError as exc:
            raise DownloadError(f"download interrupted: {type(exc).__name__}") from None
        if want is not None and done != cap:
            raise ChecksumMismatch(f"the server sent {done} bytes, expected {cap}")
    return done


def check_response(response: httpx.Response, span: tuple[int, int] | None, expected: int | None,
                    max_bytes: int) -> int | None:
    """Validate status and length headers; return the exact number of body bytes required."""
    if span is not None:
        if response.status_code != 206:
            raise DownloadError(f"the server ignores HTTP Range requests (status {response.status_code})")
        want: int | None = span[1] - span[0] + 1
        content_range = response.headers.get("Content-Range", "")
        match = _CONTENT_RANGE_RE.match(content_range)
        if not match or (int(match.group(1)), int(match.group(2))) != span:
            raise DownloadError(f"wrong Content-Range {content_range[:80]!r} for bytes {span[0]}-{span[1]}")
        if expected is not None and match.group(3) != str(expected):
            raise ChecksumMismatch(f"the server's file is {match.group(3)} bytes, expected {expected}")
    else:
        if response.status_code != 200:
            raise DownloadError(f"the server answered HTTP {response.status_code}")
        want = expected
    length = response.headers.get("Content-Length")
    if length is not None:
        if not length.isdigit():
            raise DownloadError("invalid Content-Length")
        if int(length) > max_bytes:
            raise DownloadError(f"the file is {length} bytes; the limit is {max_bytes}")
        if want is not None and int(length) != want:
            raise ChecksumMismatch(f"the server announces {length} bytes, expected {want}")
        want = int(length) if want is None else want
    return want


def download(url: str, dest: Path, *, expected_size: int, expected_checksum: bytes, policy: UrlPolicy,
             limits: Limits = Limits(), progress: Progress | None = None, cancelled: Cancelled | None = None,
             part_size: int | None = None, client: httpx.Client | None = None) -> Path:
    """Download into a 0600 temp file next to `dest`, verify size + Blake2b-256, then atomically move it."""
    hasher = hashlib.blake2b(digest_size=32)
    with atomic_output(dest) as out:
        def sink(chunk: bytes) -> None:
            hasher.update(chunk)
            out.write(chunk)
        size = stream_url(url, sink, expected_size=expected_size, policy=policy, limits=limits,
                          progress=progress, cancelled=cancelled, part_size=part_size, client=client)
        if size != expected_size:
            raise ChecksumMismatch(f"downloaded {size} bytes, the manifest says {expected_size}")
        if hasher.digest() != expected_checksum:
            raise ChecksumMismatch("the downloaded file does not match the manifest checksum")
    return dest


# --- decrypted weights cache --------------------------------------------------------------------

class WeightsCache:
    """Plaintext weights keyed by (ciphertext checksum, key commitment), LRU-evicted above `max_bytes`."""

    def __init__(self, root: Path | str, max_bytes: int = 20 * 1024 ** 3):
        self.root, self.max_bytes = Path(root), max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, checksum: bytes, key: bytes) -> Path:
        return self.root / f"{crypto.b58encode(checksum)}-{crypto.key_commitment(key)[:8].hex()}.safetensors"

    def get(self, checksum: bytes, key: bytes) -> Path | None:
        path = self.path_for(checksum, key)
        if not path.is_file():
            return None
        os.utime(path)  # mark as recently used
        return path

    def entries(self) -> list[Path]:
        return [p for p in self.root.glob("*.safetensors") if p.is_file()]

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.entries())

    def evict(self, keep: Path | None = None) -> None:
        files = sorted(self.entries(), key=lambda p: p.stat().st_mtime_ns)
        total = sum(p.stat().st_size for p in files)
        for path in files:
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            total -= path.stat().st_size
            path.unlink(missing_ok=True)

    def clean_temp(self) -> None:
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def decrypt_file(src: Path, dest: Path, key: bytes) -> Path:
    """AES-256-CTR (zero IV) decrypt `src` into `dest` atomically, checking the safetensors framing."""
    stream = crypto.CtrStream(key)
    with atomic_output(dest) as out, open(src, "rb") as fin:
        first = True
        while chunk := fin.read(crypto.STREAM_CHUNK):
            plain = stream.update(chunk)
            if first:
                check_safetensors_prefix(plain, src.stat().st_size)
                first = False
            out.write(plain)
    return dest


def check_safetensors_prefix(plain: bytes, total_size: int, max_header: int = 16 * 1024 * 1024) -> int:
    """Cheap framing check on decrypted bytes: u64 LE header length that fits, followed by '{'."""
    if len(plain) < 9:
        raise DownloadError("the decrypted weights are too short to be safetensors")
    header_len = int.from_bytes(plain[:8], "little")
    if header_len < 2 or header_len > max_header or header_len > total_size - 8:
        raise DownloadError("the decrypted weights are not safetensors (wrong key or wrong file)")
    if plain[8:9] != b"{":
        raise DownloadError("the decrypted weights are not safetensors (wrong key or wrong file)")
    return header_len


def fetch_model_weights(manifest: Manifest, key: bytes, cache_dir: Path | str, *,
                        policy: UrlPolicy = UrlPolicy(), limits: Limits = Limits(),
                        max_cache_bytes: int = 20 * 1024 ** 3, progress: Progress | None = None,
                        cancelled: Cancelled | None = None, part_size: int | None = PART_SIZE,
                        client: httpx.Client | None = None) -> Path:
    """Plaintext safetensors of a revealed model: cache hit, or download + verify + decrypt + cache."""
    key = crypto.decode_key(key)
    cache = WeightsCache(cache_dir, max_cache_bytes)
    hit = cache.get(manifest.checksum, key)
    if hit is not None:
        return hit
    cache.clean_temp()
    final = cache.path_for(manifest.checksum, key)
    encrypted = cache.root / f".{crypto.b58encode(manifest.checksum)}.enc.tmp"
    try:
        download(manifest.url, encrypted, expected_size=manifest.size, expected_checksum=manifest.checksum,
                 policy=policy, limits=limits, progress=progress, cancelled=cancelled, part_size=part_size,
                 client=client)
        decrypt_file(encrypted, final, key)
    finally:
        encrypted.unlink(missing_ok=True)
    cache.evict(keep=final)
    return final
