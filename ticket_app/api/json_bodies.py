"""Read API bodies as JSON when a command-line client did not say so.

`curl -d '{...}'` labels its body `application/x-www-form-urlencoded`, and FastAPI only parses
bodies declared as JSON, so the plainest way to call the API would get a 400. Relabelling is
safe only for clients that are not browsers: a page on another site can make a browser POST a
form or plain text without asking CORS first, but browsers always send `Origin` with such a
request, so anything carrying `Origin` keeps its label (and is refused as not JSON).
"""

from starlette.types import ASGIApp, Receive, Scope, Send

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
# What curl, wget and HTTPie-style defaults send when the user gives no Content-Type.
UNLABELLED = frozenset({b"", b"application/x-www-form-urlencoded", b"text/plain"})


class JsonByDefault:
    """ASGI middleware: under `prefix`, an unlabelled write body without `Origin` is JSON."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in WRITE_METHODS
            and scope["path"].startswith(self.prefix)
        ):
            scope = relabelled(scope)
        await self.app(scope, receive, send)


def relabelled(scope: Scope) -> Scope:
    """The scope with `Content-Type: application/json` if the body is unlabelled and no
    browser sent it; otherwise the scope unchanged."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if any(name == b"origin" for name, _ in headers):
        return scope
    declared = next((value for name, value in headers if name == b"content-type"), b"")
    if declared.split(b";")[0].strip().lower() not in UNLABELLED:
        return scope
    kept = [(name, value) for name, value in headers if name != b"content-type"]
    return {**scope, "headers": [*kept, (b"content-type", b"application/json")]}
