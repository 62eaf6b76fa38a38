"""Which address a request comes from, trusting `X-Forwarded-For` only as far as configured.

Behind N reverse proxies (`TRUSTED_PROXY_HOPS`), the client is the Nth address from the right
of `X-Forwarded-For`; anything left of it was written by the client and proves nothing. With
no trusted proxy the header is ignored. Reflex applies the same rule to the websocket (its
`trusted_proxy_hops`, set from the same setting in rxconfig.py).
"""

from starlette.requests import HTTPConnection

from ticket_app.config import get_settings


def client_address(connection: HTTPConnection) -> str:
    peer = connection.client.host if connection.client else "unknown"
    hops = get_settings().trusted_proxy_hops
    if not hops:
        return peer
    forwarded = [
        part.strip()
        for part in connection.headers.get("x-forwarded-for", "").split(",")
        if part.strip()
    ]
    return forwarded[-hops] if len(forwarded) >= hops else peer
