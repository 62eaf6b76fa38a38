"""The served app answers only to its own names: pages, API and the websocket handshake.

A page on a rebound name (`evil.example` pointed at the app's address) must not get the
app's pages, API answers or a websocket.
"""

import socket
import urllib.parse

import pytest

from tests.served_app import ServedApp

pytestmark = pytest.mark.served

EVIL = "evil.example"


def status_line(app: ServedApp, request: str, host: str) -> bytes:
    """The first line the server answers to a raw request sent as `host`."""
    address = urllib.parse.urlsplit(app.url)
    port = address.port
    with socket.create_connection((address.hostname, port), timeout=10) as connection:
        connection.sendall(request.format(host=f"{host}:{port}", origin=app.url).encode())
        return connection.recv(200).split(b"\r\n")[0]


PAGE = "GET {path} HTTP/1.1\r\nHost: {{host}}\r\nConnection: close\r\n\r\n"
HANDSHAKE = (
    "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n"
)


@pytest.mark.parametrize("path", ["/", "/login/", "/api/openapi.json", "/api/health/", "/ping"])
def test_pages_and_api_answer_only_their_own_host(live_app, path):
    request = PAGE.format(path=path)
    assert status_line(live_app, request, "localhost") == b"HTTP/1.1 200 OK"
    assert status_line(live_app, request, EVIL) == b"HTTP/1.1 400 Bad Request"


def test_the_websocket_handshake_answers_only_its_own_host(live_app):
    assert status_line(live_app, HANDSHAKE, "localhost") == b"HTTP/1.1 101 Switching Protocols"
    assert status_line(live_app, HANDSHAKE, EVIL) == b"HTTP/1.1 400 Bad Request"
