"""Upload the encrypted weights by HTTP PUT to a pre-signed URL (S3, R2, GCS).

Streams from disk with an explicit Content-Length (pre-signed PUTs refuse chunked bodies), reports progress,
retries transport errors and 408/429/5xx a bounded number of times with full-jitter backoff, and can be
cancelled between chunks. The pre-signed URL carries a credential: it never appears in errors or logs.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

UPLOAD_CHUNK = 1024 * 1024
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class UploadError(Exception):
    """The upload failed; the message never contains the pre-signed URL."""


class UploadCancelled(UploadError):
    """The caller cancelled the upload."""


@dataclass(frozen=True)
class UploadResult:
    size: int
    attempts: int
    status: int
    etag: str | None


def _body(path: Path, progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None,
          total: int) -> Iterator[bytes]:
    sent = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(UPLOAD_CHUNK):
            if cancelled and cancelled():
                raise UploadCancelled("upload cancelled")
            sent += len(chunk)
            yield chunk
            if progress:
                progress(sent, total)


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or "?"
    except (httpx.InvalidURL, TypeError, ValueError):
        return "?"


def upload_presigned(path: Path | str, put_url: str, *, progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None, max_attempts: int = 4,
                     backoff_s: float = 1.0, backoff_cap_s: float = 30.0, timeout_s: float = 60.0,
                     content_type: str = "application/octet-stream",
                     client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> UploadResult:
    path = Path(path)
    total = os.stat(path).st_size
    host = _host(put_url)
    try:
        scheme = httpx.URL(put_url).scheme
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UploadError("the pre-signed URL is not a valid URL") from None
    if scheme not in ("https", "http"):
        raise UploadError("the pre-signed URL must be http(s)")
    own = client is None
    client = client or httpx.Client(trust_env=False, follow_redirects=False,
                                    timeout=httpx.Timeout(timeout_s, connect=10.0))
    reason = ""
    try:
        for attempt in range(1, max_attempts + 1):
            if cancelled and cancelled():
                raise UploadCancelled("upload cancelled")
            try:
                response = client.put(put_url, content=_body(path, progress, cancelled, total),
                                      headers={"Content-Length": str(total), "Content-Type": content_type})
            except UploadCancelled:
                raise
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__} talking to {host}"
            else:
                if 200 <= response.status_code < 300:
                    return UploadResult(total, attempt, response.status_code, response.headers.get("ETag"))
                reason = f"{host} answered HTTP {response.status_code}"
                if response.status_code not in _RETRY_STATUS:
                    hint = " (the pre-signed URL may have expired)" if response.status_code == 403 else ""
                    raise UploadError(f"upload refused: {reason}{hint}")
            if attempt < max_attempts:
                sleep(random.uniform(0, min(backoff_cap_s, backoff_s * 2 ** (attempt - 1))))
        raise UploadError(f"upload failed after {max_attempts} attempts: {reason}")
    finally:
        if own:
            client.close()
