"""Answer only requests addressed to this app: the Host header must be one of its names.

DNS rebinding points a name the attacker controls at the app's address, so a page on that
name can read the app's answers in a visitor's browser, as if it were same-origin. The
browser still sends the attacker's name as Host; refusing every name the app does not own
stops it. This middleware wraps everything the backend serves (pages, `/api`, the `/_event`
websocket handshake): a refused API request gets a 400 problem, anything else a plain 400.
"""

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ticket_app.api.problems import problem

WEBSOCKET_DENIAL = "websocket.http.response"  # ASGI extension: an HTTP answer to a handshake


def host_name(host_header: str) -> str:
    """The name in a Host header, without its port: `[::1]:8000` -> `::1`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    name, _, port = host.rpartition(":")
    return name.rstrip(".") if name and port.isdigit() else host.rstrip(".")


class HostAllowList:
    """ASGI middleware: a 400 for HTTP and websocket requests whose Host is not in `hosts`."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], api_prefix: str = "/api/") -> None:
        self.app = app
        self.hosts = hosts
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        if host_name(host.decode("latin-1")) in self.hosts:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket" and WEBSOCKET_DENIAL not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1008})  # the server answers 403
            return
        detail = "This server does not answer for that host name."
        if scope["path"] == self.api_prefix.rstrip("/") or scope["path"].startswith(
            self.api_prefix
        ):
            await problem(400, detail)(scope, receive, send)
        else:
            await PlainTextResponse(detail, status_code=400)(scope, receive, send)
