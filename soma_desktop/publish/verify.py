"""Verify a weights URL before anything is committed (sdk.md §9-§10, security.md §4.2 gate 2).

Checks, in order: a 1-byte Range request returns 206 with the right Content-Range; the last validator-sized
part (5 MiB) of the file is served with its exact length; the full download has the manifest's size and
Blake2b-256; decrypting it with the job's key yields the original plaintext (SHA-256) whose first bytes
parse as a safetensors header. A URL serving different bytes therefore blocks the commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import httpx

from soma_desktop.core import crypto
from soma_desktop.publish.downloader import (
    PART_SIZE,
    Cancelled,
    DownloadClock,
    DownloadError,
    Limits,
    Progress,
    UrlPolicy,
    check_response,
    make_client,
    open_stream,
    stream_url,
)


@dataclass
class VerifyReport:
    url: str
    range_ok: bool = False
    size_ok: bool = False
    checksum_ok: bool = False
    decrypt_ok: bool = False
    bytes_read: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.range_ok and self.size_ok and self.checksum_ok and self.decrypt_ok and not self.problems

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "ok": self.ok}, sort_keys=True)


def _probe_range(client: httpx.Client, url: str, policy: UrlPolicy, clock: DownloadClock, start: int, end: int,
                 size: int) -> None:
    response = open_stream(client, url, policy, clock, {"Range": f"bytes={start}-{end}"})
    try:
        check_response(response, (start, end), size, end - start + 1)
        body = response.read()
    finally:
        response.close()
    if len(body) != end - start + 1:
        raise DownloadError(f"Range bytes={start}-{end} returned {len(body)} bytes")


class _Checker:
    """Hashes ciphertext and decrypted plaintext as they stream by; keeps the plaintext's first bytes."""

    def __init__(self, key: bytes, keep: int = 64 * 1024):
        self.cipher_hash = hashlib.blake2b(digest_size=32)
        self.plain_hash = hashlib.sha256()
        self.stream = crypto.CtrStream(key)
        self.head = bytearray()
        self.keep = keep

    def __call__(self, chunk: bytes) -> None:
        self.cipher_hash.update(chunk)
        plain = self.stream.update(chunk)
        self.plain_hash.update(plain)
        if len(self.head) < self.keep:
            self.head += plain[: self.keep - len(self.head)]


def parse_safetensors_head(head: bytes, total_size: int) -> dict[str, Any]:
    """Parse the header from the first decrypted bytes: u64 LE length + a JSON object."""
    if len(head) < 8:
        raise DownloadError("decrypted file is too short to be safetensors")
    length = int.from_bytes(head[:8], "little")
    if length < 2 or length > total_size - 8:
        raise DownloadError("decrypted bytes are not safetensors: wrong key or wrong file")
    if len(head) < 8 + length:
        if head[8:9] != b"{":
            raise DownloadError("decrypted bytes are not safetensors: wrong key or wrong file")
        return {}
    try:
        header = json.loads(head[8:8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DownloadError("decrypted safetensors header is not valid JSON") from None
    if not isinstance(header, dict):
        raise DownloadError("decrypted safetensors header is not a JSON object")
    return header


def verify_hosted(url: str, *, size: int, checksum: bytes, key: bytes, plain_sha256: bytes | None = None,
                  policy: UrlPolicy = UrlPolicy(), limits: Limits = Limits(), progress: Progress | None = None,
                  cancelled: Cancelled | None = None, client: httpx.Client | None = None) -> VerifyReport:
    """Run every check; never raises for a bad URL, the report lists the problems."""
    report = VerifyReport(url=url)
    own = client is None
    client = client or make_client()
    try:
        clock = DownloadClock(limits)
        try:
            _probe_range(client, url, policy, clock, 0, 0, size)
            last_start = ((size - 1) // PART_SIZE) * PART_SIZE
            if last_start > 0:
                _probe_range(client, url, policy, clock, last_start, size - 1, size)
            report.range_ok = True
        except DownloadError as exc:
            report.problems.append(f"HTTP Range: {exc}")
            return report
        checker = _Checker(key)
        try:
            report.bytes_read = stream_url(url, checker, expected_size=None, policy=policy,
                                           limits=replace(limits, max_bytes=size),
                                           progress=progress, cancelled=cancelled, client=client)
        except DownloadError as exc:
            report.problems.append(f"download: {exc}")
            return report
        report.size_ok = report.bytes_read == size
        if not report.size_ok:
            report.problems.append(f"size: the URL serves {report.bytes_read} bytes, expected {size}")
        report.checksum_ok = checker.cipher_hash.digest() == checksum
        if not report.checksum_ok:
            report.problems.append("checksum: the URL serves different bytes than the encrypted file")
        try:
            parse_safetensors_head(bytes(checker.head), report.bytes_read)
            plain_ok = plain_sha256 is None or checker.plain_hash.digest() == plain_sha256
            if not plain_ok:
                report.problems.append("decrypt: the decrypted file differs from the original weights")
            report.decrypt_ok = plain_ok
        except DownloadError as exc:
            report.problems.append(f"decrypt: {exc}")
        return report
    finally:
        if own:
            client.close()
