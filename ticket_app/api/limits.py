"""Refuse request bodies over the configured size before they are read whole, and name the
API routes that cost the most (their own rate limit per user, `API_RATE_EXPENSIVE_PER_USER`).

Every HTTP path has a limit: the API's (`MAX_BODY_BYTES`) under `/api/`, and a small one
(`FORM_MAX_BODY_BYTES`) everywhere else: the sign-in, setup and sign-out forms, and whatever
Reflex serves beneath (its pages take no bodies; its events travel over the websocket).
Multipart uploads (the API's and the UI's) get the attachment limits instead.
"""

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticket_app.api.multipart import is_multipart
from ticket_app.api.problems import problem

# Gemini calls, similarity searches, whole-desk exports and changes of many tickets at once.
EXPENSIVE = re.compile(
    r"/api/tickets/(classify/|similar/|[0-9]+/similar/|export\.csv|bulk/)", re.ASCII
)


# Where files are uploaded: the API's multipart routes and Reflex's upload endpoint.
UPLOADS = re.compile(
    r"/api/tickets/(?:[0-9]+/(?:attachments|comments)/?)?|/api/tickets|/_upload(?:/.*)?", re.ASCII
)


def is_expensive(path: str) -> bool:
    return EXPENSIVE.fullmatch(path) is not None


def upload_limit(max_message_bytes: int, max_body_bytes: int) -> int:
    """The body limit of an upload: a message's files together, plus the form's fields and
    the parts' headers (up to an ordinary body's limit)."""
    return max_message_bytes + max_body_bytes


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over the limit of the first `(prefix, max_bytes)` rule
    whose prefix starts the path (the empty prefix matches every path).

    A declared Content-Length over the limit is refused without reading a byte; a chunked
    body is counted as it arrives and refused the moment it passes the limit: the client gets
    the 413, the app a disconnect (so it stops reading), and nothing more is read.
    """

    def __init__(
        self,
        app: ASGIApp,
        rules: Sequence[tuple[str, int]],
        uploads: tuple[re.Pattern[str], int] | None = None,
    ) -> None:
        self.app = app
        self.rules = tuple(rules)
        self.uploads = uploads

    def _limit(self, scope: Scope) -> tuple[int, str] | None:
        path = scope["path"]
        if self.uploads and self.uploads[0].fullmatch(path) and is_multipart(scope):
            limit = self.uploads[1]
            return limit, (
                f"The request body is larger than the {limit:,} bytes a message's files may"
                " take together (ATTACHMENT_MAX_MESSAGE_BYTES, plus room for the form)."
            )
        for prefix, limit in self.rules:
            if path.startswith(prefix):
                return limit, f"The request body is larger than the limit of {limit:,} bytes."
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._limit(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        limit, detail = found
        too_large = problem(413, detail)
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
