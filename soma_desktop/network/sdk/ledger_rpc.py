"""The one gRPC call the app makes itself: `soma.rpc.LedgerService/GetEpoch` for the latest system state.

Why: soma-sdk 0.1.15 reads the system state (the model registry is stored inline) through tonic's default 4 MiB
decode limit (soma-org/soma rpc/src/api/client.rs `get_latest_system_state`; only `get_full_checkpoint` raises
it), so the read fails once a chain holds roughly 450 models, and the SDK has no setting for it. This module sends
the SDK's own request (GetEpochRequest with read_mask ["system_state", "epoch"], no epoch = latest) over HTTP/2
with httpx and the `h2` package, unary gRPC framing, no compression, and its own response limit (64 MiB by
default: the answer is untrusted, a bigger one is refused with a clear message).

Service path: soma-org/soma rpc/src/proto/generated/soma.rpc.rs L1317 ("/soma.rpc.LedgerService/GetEpoch";
`package soma.rpc` and `rpc GetEpoch` in rpc/proto/soma/rpc/ledger_service.proto L3, L26). Verified against the
generated code and a local HTTP/2 server in the tests, not against a live node.

httpx does not expose HTTP/2 trailers, so `grpc-status` is read where it can be: in the headers of a
trailers-only answer (how servers send a unary error). A success's status rides in the trailers; the answer is
then accepted when it holds exactly one complete, uncompressed message that decodes.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import unquote, urlsplit

import httpx

from soma_desktop.network.errors import NetworkError, NetworkUnavailable
from soma_desktop.network.sdk.wire import len_field

GET_EPOCH_PATH = "/soma.rpc.LedgerService/GetEpoch"
DEFAULT_LIMIT = 64 * 1024 * 1024
MIB = 1024 * 1024
_HEADER = 5                      # gRPC message prefix: 1 byte compressed flag, 4 bytes big-endian length
# gRPC status codes by number, named as tonic prints them (`status: NotFound`) so messages match classify.py.
GRPC_CODES = ("Ok", "Cancelled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
              "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
              "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated")
_UNAVAILABLE, _UNIMPLEMENTED = 14, 12


def get_epoch_request() -> bytes:
    """GetEpochRequest (soma.rpc.rs L1046): epoch 1 left out (= latest), read_mask 2 = google.protobuf.FieldMask
    (rpc/proto/google/protobuf/field_mask.proto L242: `repeated string paths = 1`) — what
    `GetEpochRequest::latest().with_read_mask(["system_state", "epoch"])` encodes."""
    mask = len_field(1, b"system_state") + len_field(1, b"epoch")
    return len_field(2, mask)


def frame(message: bytes) -> bytes:
    return b"\x00" + len(message).to_bytes(4, "big") + message


def _too_large(size: int, limit: int) -> NetworkError:
    return NetworkError(f"The network's system state answer is {size / MIB:.1f} MiB, over this app's "
                        f"{limit / MIB:g} MiB limit for one answer; it was not read.")


def unframe(body: bytes, limit: int) -> bytes:
    """The single message of a unary answer; anything else is refused."""
    if len(body) < _HEADER:
        raise NetworkError("The node's answer held no message (gRPC status unknown).")
    flag, size = body[0], int.from_bytes(body[1:5], "big")
    if flag == 1:
        raise NetworkError("The node sent a compressed answer, which this reader does not accept.")
    if flag != 0:
        raise NetworkError(f"The node's answer has an invalid gRPC frame flag {flag}.")
    if size > limit:
        raise _too_large(size, limit)
    if len(body) != _HEADER + size:
        raise NetworkError("The node's answer is cut short or holds more than one message.")
    return body[_HEADER:]


def status_error(code_text: str, message: str, where: str) -> NetworkError | None:
    """None for OK; otherwise the error a read reports (reads are not transactions: no outcome to classify)."""
    try:
        code = int(code_text.strip())
    except ValueError:
        return NetworkError(f"The node{where} sent an invalid gRPC status {code_text[:20]!r}.")
    if code == 0:
        return None
    name = GRPC_CODES[code] if 0 <= code < len(GRPC_CODES) else f"code {code}"
    text = "".join(ch for ch in unquote(message) if ch.isprintable())[:200]
    if code == _UNIMPLEMENTED:
        return NetworkUnavailable(f"The server{where} does not speak the SOMA RPC (wrong URL or port?)")
    detail = f"status: {name}" + (f", message: {text}" if text else "")
    if code == _UNAVAILABLE:
        return NetworkUnavailable(f"Cannot reach the network{where}: {detail}")
    return NetworkError(f"The node{where} refused the system state read ({detail}).")


def grpc_url(rpc_url: str, path: str) -> str:
    """gRPC paths sit at the root of the authority, whatever path the RPC URL carries."""
    parts = urlsplit(rpc_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NetworkError(f"Not a usable RPC URL: {rpc_url[:80]!r}")
    return f"{parts.scheme}://{parts.netloc}{path}"


def has_http2() -> bool:
    return importlib.util.find_spec("h2") is not None


async def unary_call(rpc_url: str, path: str, request: bytes, *, timeout: float,  # noqa: ASYNC109 — httpx's
                     limit: int = DEFAULT_LIMIT) -> bytes:                          # own per-phase timeouts
    """POST one gRPC message, return the one answer message (at most `limit` bytes)."""
    url = grpc_url(rpc_url, path)
    host = urlsplit(url).netloc
    where = f" ({host})"
    if not has_http2():
        raise NetworkError("Reading a large system state needs the Python package 'h2' (HTTP/2), "
                           "which is not installed.")
    headers = {"content-type": "application/grpc", "te": "trailers", "grpc-accept-encoding": "identity",
               "user-agent": "soma-desktop"}
    try:
        # http1=False: HTTP/2 only (prior knowledge on http://, ALPN on https://); gRPC needs nothing else.
        async with httpx.AsyncClient(http1=False, http2=True, timeout=timeout, trust_env=False) as client, \
                client.stream("POST", url, content=frame(request), headers=headers) as response:
            failed = _header_status(response.headers, where)
            if failed is not None:
                raise failed
            if response.status_code != 200:
                raise NetworkError(f"The server{where} answered HTTP {response.status_code}, not gRPC.")
            if not response.headers.get("content-type", "").startswith("application/grpc"):
                raise NetworkUnavailable(f"The server{where} does not speak the SOMA RPC (wrong URL or port?)")
            body = await _read_capped(response, limit)
    except httpx.TimeoutException:
        raise NetworkUnavailable(f"No answer from {host} within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise NetworkUnavailable(f"Cannot reach the network{where}: {type(exc).__name__}: {str(exc)[:160]}") \
            from None
    return unframe(body, limit)


def _header_status(headers: httpx.Headers, where: str) -> NetworkError | None:
    code = headers.get("grpc-status")
    return None if code is None else status_error(code, headers.get("grpc-message", ""), where)


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """The raw body (no HTTP content decoding), refused as soon as it or its declared length passes `limit`."""
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) >= _HEADER and int.from_bytes(body[1:5], "big") > limit:
            raise _too_large(int.from_bytes(body[1:5], "big"), limit)
        if len(body) > _HEADER + limit:
            raise _too_large(len(body) - _HEADER, limit)
    return bytes(body)
