"""Refuse request bodies over the configured size before they are read whole, and name the
API routes that cost the most (their own rate limit per user, `API_RATE_EXPENSIVE_PER_USER`).

Every HTTP path has a limit: the API's (`MAX_BODY_BYTES`) under `/api/`, and a small one
(`FORM_MAX_BODY_BYTES`) everywhere else: the sign-in, setup and sign-out forms, and whatever
Reflex serves beneath (its pages take no bodies; its events travel over the websocket).
"""

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticket_app.api.problems import problem

# Gemini calls, similarity searches, whole-desk exports and changes of many tickets at once.
EXPENSIVE = re.compile(
    r"/api/tickets/(classify/|similar/|[0-9]+/similar/|export\.csv|bulk/)", re.ASCII
)


def is_expensive(path: str) -> bool:
    return EXPENSIVE.fullmatch(path) is not None


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over the limit of the first `(prefix, max_bytes)` rule
    whose prefix starts the path (the empty prefix matches every path).

    A declared Content-Length over the limit is refused without reading a byte; a chunked
    body is counted as it arrives and refused the moment it passes the limit: the client gets
    the 413, the app a disconnect (so it stops reading), and nothing more is read.
    """

    def __init__(self, app: ASGIApp, rules: Sequence[tuple[str, int]]) -> None:
        self.app = app
        self.rules = tuple(rules)

    def _limit(self, path: str) -> int | None:
        return next((limit for prefix, limit in self.rules if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        too_large = problem(413, f"The request body is larger than the limit of {limit:,} bytes.")
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await too_large(scope, receive, send)
                return
        received = 0
        refused = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await too_large(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 was sent; the app's own answer goes nowhere
                return
            started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
