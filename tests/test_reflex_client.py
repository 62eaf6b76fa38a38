"""tests/support/reflex_client.py opens the socket a browser tab opens: checked on the bytes it
sends.

What it does once connected is what the tests in tests/served/ rely on; here, the handshake
itself, against a server that only records the request.
"""

import asyncio

import pytest
import socketio

from tests.support.reflex_client import ReflexTab


async def handshake(**tab: str) -> tuple[str, ReflexTab]:
    """The first request `ReflexTab(**tab).open()` sends, and the tab."""
    requests: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = ReflexTab(f"http://127.0.0.1:{port}", **tab)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.open("/tickets", timeout=5)
    server.close()
    return requests[0].decode("latin-1"), client


def test_the_handshake_carries_the_tabs_token_origin_cookie_and_reflex_version():
    request, tab = asyncio.run(
        handshake(origin="http://localhost:8000", cookie="session=abc; theme=dark")
    )
    line, *headers = request.split("\r\n")
    assert line.startswith(f"GET /_event/?token={tab.token}&transport=websocket&EIO=4")
    assert "Origin: http://localhost:8000" in headers
    assert "Cookie: session=abc; theme=dark" in headers  # sent as is, even to an IP address
    assert any(header.startswith("Sec-WebSocket-Protocol: 0.") for header in headers)
    assert not tab.connected


def test_the_origin_is_the_apps_own_unless_told_otherwise():
    request, tab = asyncio.run(handshake())
    assert f"Origin: {tab.base_url}" in request.split("\r\n")
    assert "Cookie:" not in request
