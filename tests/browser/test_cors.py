"""Other origins are not let in: checked against the real app, where Reflex adds its CORS
middleware and Socket.IO checks the origin of the websocket handshake."""

import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.browser

EVIL = "https://evil.example"


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method=method, headers=headers or {}), timeout=10
        ) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_a_foreign_origin_gets_no_cors_grant(app_url):
    status, headers = request(f"{app_url}/api/health/", headers={"Origin": EVIL})
    assert status == 200  # the response exists, but the browser may not show it to the page
    assert headers.get("access-control-allow-origin") is None


def test_a_foreign_preflight_for_delete_is_refused(app_url):
    status, headers = request(
        f"{app_url}/api/tickets/1/",
        method="OPTIONS",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "DELETE"},
    )
    assert status == 400
    assert headers.get("access-control-allow-origin") is None


def test_the_apps_own_origin_is_allowed(app_url):
    status, headers = request(f"{app_url}/api/health/", headers={"Origin": app_url})
    assert status == 200
    assert headers.get("access-control-allow-origin") == app_url


def websocket_upgrade(app_url: str, origin: str) -> bytes:
    """The status line the server answers to a websocket upgrade from `origin`."""
    address = urllib.parse.urlsplit(app_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            (
                "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {address.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        return connection.recv(200).split(b"\r\n")[0]


def test_the_websocket_refuses_a_foreign_origin(app_url):
    assert websocket_upgrade(app_url, app_url) == b"HTTP/1.1 101 Switching Protocols"
    assert websocket_upgrade(app_url, EVIL) == b"HTTP/1.1 403 Forbidden"
