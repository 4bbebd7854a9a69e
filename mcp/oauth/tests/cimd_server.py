"""A small HTTPS server on 127.0.0.1 that publishes client ID metadata documents for the tests.

Its certificate comes from a throwaway certificate authority made by `trustme`; a test trusts that
authority by pointing SSL_CERT_FILE at it, which Python's default TLS context reads. Paths:

- /client.json: a valid document (client_id = its own URL)
- /big.json: a valid document padded past the size cap
- /slow.json: answers only once `release` is set (the test's teardown sets it)
- /redirect.json: 302 to /client.json, which a fetch must not follow
- /other-id.json: a document claiming another client_id

Every request is counted in `hits` (path -> number), so a test can tell what was fetched.
"""

import contextlib
import json
import ssl
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme


class CimdServer:
    def __init__(self, redirect_uris, *, tls=True):
        self.redirect_uris = redirect_uris
        self.hits = Counter()
        self.release = threading.Event()
        self.ca = trustme.CA()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert("127.0.0.1").configure_cert(context)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self):
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path):
        return self.base + path

    def document(self, path, **extra):
        return {
            "client_id": self.url(path),
            "client_name": "Metadata Assistant",
            "client_uri": self.base,
            "redirect_uris": self.redirect_uris,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            **extra,
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits[self.path] += 1
                if self.path == "/slow.json":
                    server.release.wait(30)
                if self.path == "/redirect.json":
                    self.send_response(302)
                    self.send_header("Location", server.url("/client.json"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                documents = {
                    "/client.json": server.document("/client.json"),
                    "/slow.json": server.document("/slow.json"),
                    "/big.json": server.document("/big.json", padding="x" * 40_000),
                    "/other-id.json": server.document("/other-id.json")
                    | {"client_id": server.url("/client.json")},
                }
                if self.path not in documents:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps(documents[self.path]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The fetcher may have given up (too slow, or it stopped reading past the cap).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    self.wfile.write(body)

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)

    def trust(self, monkeypatch, tmp_path):
        """Makes this process's default TLS context trust the server's certificate authority."""
        bundle = tmp_path / "cimd-ca.pem"
        self.ca.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
