"""Security headers on every HTTP answer: pages, assets and API.

The Content-Security-Policy is one the compiled app works under:
- scripts from our own origin, plus the inline scripts React Router writes into the
  prerendered pages, allowed by their SHA-256 (read from the built pages on first use, so a
  rebuilt frontend is covered after a restart), and `'unsafe-eval'`, which Reflex needs: the
  server sends small scripts (toasts, redirects) that its frontend runs with `eval`;
- inline styles (Radix and Emotion set them at run time), images and fonts from our origin
  and data: URIs, the websocket to our own origin;
- no framing by anyone (`frame-ancestors 'none'`), no plugins, forms only to ourselves.
API answers get the strictest policy; the Swagger UI page gets what FastAPI's page needs.
"""

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticket_app.config import get_settings

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
SWAGGER_CDN = "https://cdn.jsdelivr.net"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {SWAGGER_CDN}; "
    f"style-src 'self' 'unsafe-inline' {SWAGGER_CDN}; img-src 'self' data: https:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
)


def _built_pages() -> Path:
    from reflex.utils import prerequisites

    return prerequisites.get_web_dir() / "build" / "client"


def inline_script_hashes(folder: Path) -> list[str]:
    """CSP sources for every inline script of the built pages in `folder`."""
    found: set[str] = set()
    for page in folder.rglob("*.html"):
        for body in INLINE_SCRIPT.findall(page.read_bytes()):
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


@lru_cache(maxsize=1)
def page_policy() -> str:
    host = urlsplit(get_settings().app_url).netloc
    scripts = " ".join(["'self'", "'unsafe-eval'", *inline_script_hashes(_built_pages())])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; font-src 'self' data:; "
        f"connect-src 'self' ws://{host} wss://{host}; frame-ancestors 'none'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def policy_for(path: str) -> str:
    if path.startswith("/api/docs"):
        return DOCS_POLICY
    if path.startswith("/api/"):
        return API_POLICY
    return page_policy()


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
