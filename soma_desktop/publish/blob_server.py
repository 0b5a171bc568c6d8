"""A built-in blob server for sandbox and localnet: serves a folder's files on 127.0.0.1 with HTTP Range.

Validators fetch files > 5 MiB as 5 MiB `Range` parts and reject a part of the wrong length (sdk.md §9), so
Range handling follows RFC 9110: a single satisfiable range -> 206 + Content-Range; unsatisfiable -> 416
with `Content-Range: bytes */size`; malformed or multi-range headers are ignored (200, whole file).
Only plain files directly inside the root whose names match a strict pattern are served: no listing,
no subfolders, no dotfiles, no symlinks, so path traversal cannot reach anything else.

Untrusted peers cannot exhaust it: header lines are capped (a Range of thousands of digits gets 416, an
over-long header 431), at most `max_connections` are served at once (more get 503), and a connection idle
for `idle_timeout_s` is closed, so no peer holds a thread forever.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import stat
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 1024 * 1024
MAX_HEADER_VALUE = 8192        # far longer than any Range or Host a client needs
MAX_DIGITS = 19                # a 19-digit offset is past any file; int() of thousands of digits raises
DEFAULT_MAX_CONNECTIONS = 32
DEFAULT_IDLE_TIMEOUT_S = 30.0


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end inclusive) for one satisfiable range; None to serve everything; "unsatisfiable" for 416."""
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if not match:
        return None  # malformed or several ranges: ignore the header (RFC 9110 §14.2)
    first, last = match.groups()
    if not first and not last:
        return None
    if len(first) > MAX_DIGITS:
        return "unsatisfiable"            # starts past the end of any file
    if len(last) > MAX_DIGITS:
        last = str(size)                  # an end or suffix past any file: clipped to the file
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


class _Handler(BaseHTTPRequestHandler):
    server_version = "SomaDesktopBlob/1"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return  # quiet: URLs may be shown elsewhere, nothing useful for logs here

    def _resolve(self) -> Path | None:
        name = self.path.split("?", 1)[0].split("#", 1)[0]
        if not name.startswith("/"):
            return None
        name = name[1:]
        if not _NAME_RE.match(name):
            return None
        root: Path = self.server.root  # type: ignore[attr-defined]
        candidate = root / name
        try:
            info = os.lstat(candidate)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or candidate.resolve().parent != root.resolve():
            return None
        return candidate

    def _serve(self, *, body: bool) -> None:
        if any(len(value) > MAX_HEADER_VALUE for value in self.headers.values()):
            self.close_connection = True
            self._empty(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return
        path = self._resolve()
        if path is None:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        try:
            handle = open(path, "rb")  # noqa: SIM115 - the `with handle` below closes it; open errors answer 404
        except OSError:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            wanted = parse_range(self.headers.get("Range"), size)
            if wanted == "unsatisfiable":
                self._empty(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, {"Content-Range": f"bytes */{size}"})
                return
            start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
            length = end - start + 1 if size else 0
            self.send_response(HTTPStatus.PARTIAL_CONTENT if isinstance(wanted, tuple) else HTTPStatus.OK)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(length))
            if isinstance(wanted, tuple):
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            if body and length:
                self._copy(handle, start, length)

    def _copy(self, handle: BinaryIO, start: int, length: int) -> None:
        handle.seek(start)
        remaining = length
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while remaining > 0:
                chunk = handle.read(min(_CHUNK, remaining))
                if not chunk:
                    break  # file shrank underneath us; the client sees a short body and fails
                self.wfile.write(chunk)
                remaining -= len(chunk)

    def _empty(self, status: HTTPStatus, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n"
         b"Retry-After: 1\r\n\r\n")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], max_connections: int, idle_timeout_s: float):
        super().__init__(address, _Handler)
        self.slots = threading.BoundedSemaphore(max_connections)
        self.idle_timeout_s = idle_timeout_s

    def process_request(self, request: socket.socket, client_address: Any) -> None:  # type: ignore[override]
        if not self.slots.acquire(blocking=False):   # full: answer at once instead of queueing a thread
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: Any) -> None:  # type: ignore[override]
        try:
            request.settimeout(self.idle_timeout_s)   # idle keep-alive or a silent peer: the read times out
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients hanging up mid-transfer are normal; stdlib would print a traceback


class BlobServer:
    """`with BlobServer(folder) as srv: url = srv.publish(path)`. Port 0 picks a free port."""

    def __init__(self, root: Path | str, *, host: str = "127.0.0.1", port: int = 0,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS, idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S):
        self.root = Path(root)
        self._limits = (max_connections, idle_timeout_s)
        self.root.mkdir(parents=True, exist_ok=True)
        # The preferred port comes from a file in the data dir: anything outside 1..65535 means "any free port".
        self._host, self._port = host, port if type(port) is int and 0 < port < 65536 else 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> BlobServer:
        if self._httpd is None:
            try:
                httpd = _QuietServer((self._host, self._port), *self._limits)
            except OSError:
                if not self._port:
                    raise
                httpd = _QuietServer((self._host, 0), *self._limits)  # preferred port taken: any free one
            httpd.root = self.root  # type: ignore[attr-defined]
            self._httpd = httpd
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="blob-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
            if self._thread is not None:
                self._thread.join(timeout=5)

    def __enter__(self) -> BlobServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("blob server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url_for(self, name: str) -> str:
        if not _NAME_RE.match(name):
            raise ValueError(f"not a servable blob name: {name!r}")
        return f"{self.base_url}/{name}"

    def publish(self, path: Path | str, name: str) -> str:
        """Make `path` available as `name` (hard link, or a copy across filesystems) and return its URL.

        An existing blob with that name is never overwritten: a live URL must stay immutable (sdk.md §9).
        """
        if not _NAME_RE.match(name):
            raise ValueError(f"not a servable blob name: {name!r}")
        target = self.root / name
        if not target.exists():
            tmp = self.root / f".{name}.{os.getpid()}.tmp"
            tmp.unlink(missing_ok=True)
            try:
                os.link(path, tmp)
            except OSError:
                shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        return self.url_for(name)
