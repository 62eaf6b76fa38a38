"""Refuse request bodies over the configured size before they are read whole."""

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticket_app.api.problems import problem


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over `max_bytes` under `prefix`.

    A declared Content-Length over the limit is refused without reading a byte; a chunked
    body is counted as it arrives and refused the moment it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/api/") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix

    def _too_large(self) -> str:
        return f"The request body is larger than the limit of {self.max_bytes:,} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await problem(413, self._too_large())(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, limited_receive, send)
