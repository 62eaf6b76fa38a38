"""The one way a REST route learns who is calling: `Authorization: Bearer <token>`.

Every router but the public health check is included with `current_actor` as a dependency
(`routes/__init__.py`), so a new route is protected unless someone decides otherwise there.
Routes that need the user declare `actor: CurrentActor`; FastAPI resolves it once per request.
A cached token costs no database round trip and no thread hop (see `credentials.py`).
"""

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ticket_app.api.clients import client_address
from ticket_app.api.limits import is_expensive
from ticket_app.config import get_settings
from ticket_app.services import api_tokens, throttle
from ticket_app.services.access import Actor
from ticket_app.services.errors import NotSignedIn

bearer = HTTPBearer(
    auto_error=False,
    description="A personal access token: create one on your account page or with "
    "`python -m ticket_app.manage create-token`.",
)
MISSING = "Send a personal access token: Authorization: Bearer <token>."
INVALID = "The token is unknown, expired or revoked."


async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The token's user, or a 401 problem (missing, malformed, unknown, expired, revoked);
    a 429 problem with Retry-After once the client address or the token is over its rate
    (`API_RATE_PER_ADDRESS`, `API_RATE_PER_TOKEN`; the address is checked first, so guessing
    tokens is limited too), or the user over theirs on the expensive routes
    (`API_RATE_EXPENSIVE_PER_USER`, whichever token they use)."""
    settings = get_settings()
    throttle.check_api_rate(
        "address", key=client_address(request), per_minute=settings.api_rate_per_address
    )
    if credentials is None:
        raise NotSignedIn(MISSING)
    secret = credentials.credentials
    found, actor = api_tokens.cached(secret)
    if not found:
        actor = await run_in_threadpool(api_tokens.resolve, secret)
    if actor is None:
        raise NotSignedIn(INVALID)
    throttle.check_api_rate(
        "token", key=str(actor.token_id), per_minute=settings.api_rate_per_token
    )
    if is_expensive(request.url.path):
        throttle.check_api_rate(
            "expensive", key=str(actor.id), per_minute=settings.api_rate_expensive_per_user
        )
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def expected_version(
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the version your change is based on, e.g. "3"'),
    ] = None,
) -> int | None:
    """The version an `If-Match` header names: None without one; a mismatch-to-be (-1) when
    it names no version of ours, so the change is refused as for any other stale ETag. A weak
    tag (`W/"3"`) never matches: If-Match compares strongly (RFC 9110)."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip()
    digits = tag[1:-1] if tag.startswith('"') and tag.endswith('"') else ""
    return int(digits) if digits.isdigit() else -1


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    return f'"{version}"'
