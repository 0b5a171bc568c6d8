"""A real HTTP/2 server for tests: h2c (prior knowledge) on 127.0.0.1, one thread, the `h2` state machine.

It answers every request with a `Reply` built from the request (headers, body): either a normal gRPC answer
(headers, the body in DATA frames under HTTP/2 flow control, then trailers) or a trailers-only answer.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions


@dataclass
class Reply:
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=lambda: [(":status", "200"),
                                                                     ("content-type", "application/grpc")])
    trailers: list[tuple[str, str]] = field(default_factory=lambda: [("grpc-status", "0")])
    trailers_only: bool = False      # send `headers + trailers` as one HEADERS frame that ends the stream


def grpc_frame(message: bytes) -> bytes:
    return b"\x00" + len(message).to_bytes(4, "big") + message


class GrpcTestServer:
    def __init__(self, handler: Callable[[dict[str, str], bytes], Reply]):
        self.handler = handler
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="grpc-test-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def __enter__(self) -> GrpcTestServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- server side ---------------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(10)
                try:
                    _Connection(self, conn).run()
                except (OSError, h2.exceptions.ProtocolError):
                    pass                      # the client hung up (e.g. it refused an oversized answer)


class _Connection:
    def __init__(self, server: GrpcTestServer, sock: socket.socket):
        self.server, self.sock = server, sock
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.streams: dict[int, tuple[dict[str, str], bytearray]] = {}
        self.ready: list[int] = []

    def run(self) -> None:
        self.h2.initiate_connection()
        self._flush()
        while self._pump():
            while self.ready:
                self._respond(self.ready.pop(0))

    def _flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def _pump(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.streams[event.stream_id] = (dict(event.headers), bytearray())
            elif isinstance(event, h2.events.DataReceived):
                self.streams[event.stream_id][1].extend(event.data)
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.ready.append(event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                return False
        self._flush()
        return True

    def _respond(self, stream_id: int) -> None:
        headers, body = self.streams.pop(stream_id)
        self.server.requests.append((headers, bytes(body)))
        reply = self.server.handler(headers, bytes(body))
        if reply.trailers_only:
            self.h2.send_headers(stream_id, reply.headers + reply.trailers, end_stream=True)
            self._flush()
            return
        self.h2.send_headers(stream_id, reply.headers)
        view, sent = memoryview(reply.body), 0
        while sent < len(view):
            window = min(self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size)
            if window <= 0:
                self._flush()
                if not self._pump():
                    return
                continue
            chunk = view[sent:sent + window]
            self.h2.send_data(stream_id, bytes(chunk))
            sent += len(chunk)
            self._flush()
        self.h2.send_headers(stream_id, reply.trailers, end_stream=True)
        self._flush()
