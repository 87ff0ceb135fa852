"""Shared fixtures: the BBB API double (plain and TLS), sample recordings, fake servers.

Everything listens on 127.0.0.1 with an ephemeral port (port 0); nothing else is contacted.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from bbb_api_double.server import DoubleConfig, DoubleServer
from verify_cli import CliResult, run_cli

# The secret of the documented checksum example (bbb-api.md section 1.1).
SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
LOOPBACK = "127.0.0.1"


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture
def recordings_root(tmp_path: Path) -> Path:
    root = tmp_path / "var-bigbluebutton"
    root.mkdir()
    return root


StartDouble = Callable[..., DoubleServer]


@pytest.fixture
def start_double(recordings_root: Path) -> Iterator[StartDouble]:
    """Factory: start the API double in a thread; returns the server (``.port``, ``.config``)."""
    servers: list[DoubleServer] = []

    def start(
        secret: str = SECRET,
        ssl_context: ssl.SSLContext | None = None,
        **overrides: object,
    ) -> DoubleServer:
        config = DoubleConfig(secret=secret, recordings_root=recordings_root)
        for key, value in overrides.items():
            setattr(config, key, value)
        server = DoubleServer((LOOPBACK, 0), config, ssl_context=ssl_context)
        scheme = "https" if ssl_context else "http"
        config.server_url = f"{scheme}://{LOOPBACK}:{server.port}"
        server.start_in_thread()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def double(start_double: StartDouble) -> DoubleServer:
    return start_double()


def api_url(server: DoubleServer) -> str:
    return server.config.server_url + "/bigbluebutton/"


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


Responder = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]


@pytest.fixture
def fake_server() -> Iterator[Callable[[Responder], int]]:
    """Factory: a tiny loopback HTTP server answering with ``responder(handler)``; returns port."""
    servers: list[ThreadingHTTPServer] = []

    def start(responder: Responder) -> int:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                status, headers, body = responder(self)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def free_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def url_of() -> Callable[[DoubleServer], str]:
    return api_url


@pytest.fixture
def tls_context() -> Callable[[trustme.LeafCert], ssl.SSLContext]:
    return server_context
