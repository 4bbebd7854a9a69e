"""HTTP plumbing: a threading HTTP server and :class:`StandinServer`, which runs it.

A thread per connection (``ThreadingHTTPServer``) lets slow answers (configured latency,
delay faults) overlap, so one stand-in can serve a benchmark with a thousand listeners.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import control, endpoints
from .state import StandinState
from .wire import Request, Response, api_error


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # many listeners connect at once in benchmarks

    def __init__(self, address: tuple[str, int], state: StandinState, verbose: bool) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.state = state
        self.verbose = verbose
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def close_connections(self) -> None:
        """Hang up on kept-alive connections so their threads end with the server."""
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    server_version = "spotify-standin"
    timeout = 60  # seconds an idle kept-alive connection may hold its thread
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        url = urlsplit(self.path)
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        request = Request(
            method=self.command,
            path=url.path,
            raw_query=url.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        try:
            if url.path == "/_control" or url.path.startswith("/_control/"):
                response = control.handle(self.server.state, request)
            else:
                response = endpoints.handle(self.server.state, request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = api_error(500, "Server error")
        self._send(response)

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class StandinServer:
    """The stand-in: an HTTP server bound on construction, run in the background or in front.

    ``options`` go to :class:`StandinState` (``seed``, ``now``, ``default_user``,
    ``plays_per_user``, ``client_id``, ``client_secret``, ``rotate_refresh_tokens``,
    ``access_token_ttl``, ``latency_ms``). Use as a context manager in tests::

        with StandinServer(port=0, seed=1) as standin:
            requests.get(standin.api_url + "/me")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        state: StandinState | None = None,
        verbose: bool = False,
        **options: Any,
    ) -> None:
        self.state = state if state is not None else StandinState(**options)
        self._httpd = _HTTPServer((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """Accounts base URL, e.g. ``http://127.0.0.1:54321`` (wildcard hosts -> loopback)."""
        host = self.host
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(host).is_unspecified:
                host = "::1" if ":" in host else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Web API base URL: ``url + "/v1"``."""
        return f"{self.url}/v1"

    def start(self) -> StandinServer:
        """Serve from a background thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"spotify-standin:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, join the thread and close the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI uses this)."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.close_connections()
            self._httpd.server_close()

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
