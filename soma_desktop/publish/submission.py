"""Host submission data the way weights are hosted, and prove the URL serves exactly those bytes.

Validators and challengers download a filled target's data from its manifest URL, so the URL must be public,
immutable and serve the exact bytes whose Blake2b-256 and size go on chain. Like the weights: the built-in blob
server (sandbox/localnet), a pre-signed PUT, or a URL the user already hosts; then a read-back before sending.
Blocking work: call from a worker thread (the UI runs it through the bridge with asyncio.to_thread).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from soma_desktop.core import crypto
from soma_desktop.network.sdk.submission import MAX_SUBMISSION_BYTES
from soma_desktop.network.types import Manifest
from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.downloader import DownloadError, Limits, UrlPolicy, stream_url
from soma_desktop.publish.presigned_put import upload_presigned


class SubmissionHostingError(Exception):
    """The data could not be hosted or the URL does not serve it; the message is fit for the user."""


def read_data(path: Path | str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise SubmissionHostingError(f"{path.name} is not a readable file")
    with path.open("rb") as handle:
        data = handle.read(MAX_SUBMISSION_BYTES + 1)
    if not data or len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionHostingError(f"{path.name} must hold 1 byte to 1 MiB to be submitted")
    return data


def host_submission(path: Path | str, *, blob_server: BlobServer | None = None, url: str | None = None,
                    put_url: str | None = None, policy: UrlPolicy = UrlPolicy()) -> Manifest:
    """Host `path` (built-in server, pre-signed PUT to `put_url` then public `url`, or an existing `url`),
    read it back, and return the manifest to submit."""
    data = read_data(path)
    checksum = crypto.blake2b256(data)
    if blob_server is not None:
        url = blob_server.publish(path, f"submission-{checksum.hex()[:40]}.bin")
    elif put_url:
        if not url:
            raise SubmissionHostingError("A pre-signed upload also needs the public URL it will be served from")
        upload_presigned(path, put_url)
    if not url:
        raise SubmissionHostingError("Choose where validators can download the data")
    verify_submission_url(url, checksum, len(data), policy)
    return Manifest(url, checksum, len(data))


def verify_submission_url(url: str, checksum: bytes, size: int, policy: UrlPolicy) -> None:
    hasher = hashlib.blake2b(digest_size=32)
    try:
        read = stream_url(url, hasher.update, expected_size=size, policy=policy,
                          limits=Limits(max_bytes=MAX_SUBMISSION_BYTES, deadline_s=120.0))
    except DownloadError as exc:
        raise SubmissionHostingError(f"The data URL could not be read back: {exc}") from exc
    if read != size or hasher.digest() != checksum:
        raise SubmissionHostingError("The data URL serves different bytes than the file; host the exact file")
