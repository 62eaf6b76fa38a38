"""The UI's own sign-in, sign-out and first-admin setup: plain HTML form posts, not the API.

A Reflex page cannot set an HttpOnly cookie over its websocket, so `/login` and `/setup` post
real forms here. Each answer sets or clears the session cookie and redirects (303), so the
browser reloads and its new websocket carries the cookie in its handshake, which is where
Reflex reads it (`router.headers`). Posts must come from the app's own origin (the Origin
header): from another one nothing changes, not even a cookie. Sign-in is throttled per account
and client address together and per address (refused), and slowed down per account (never
refused, see `throttle`); failures go back to the form with a code the page turns into a
message (never text from the request).

After a right password, a user with two-factor gets no session yet: a short-lived, one-use
cookie for the code step and a redirect to `/login/code`, whose form posts the code to
`/auth/sign-in/code` (counted per user). Staff who must set up two-factor get a session that
serves enrolment only, and go to the enrolment page. Single sign-on starts at
`/auth/oidc/start` and comes back to `/auth/oidc/callback` (see `services/oidc.py`).
"""

import asyncio
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ticket_app.api.clients import client_address
from ticket_app.api.problems import problem
from ticket_app.config import get_settings
from ticket_app.domain import SignInMethod
from ticket_app.services import oidc, passwords, sessions, setup, throttle, users
from ticket_app.services import sign_in as steps
from ticket_app.services.access import Actor
from ticket_app.services.errors import InvalidInput, NotFound, NotSignedIn, Throttled

router = APIRouter(prefix="/auth", include_in_schema=False)
LOGIN = "/login"
CODE_PAGE = "/login/code"
ENROL_PAGE = "/account/two-factor"
CODE_COOKIE = "support_desk_code"
PUBLIC_PAGES = ("/login", "/setup", "/auth")
Text = Annotated[str, Form(max_length=1000)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this app, never another site or the forms."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(PUBLIC_PAGES):
        return "/"
    return target


def same_origin(request: Request) -> bool:
    """Whether a form post came from the app's own pages (Origin, else Referer)."""
    origin = request.headers.get("origin")
    if origin is None:  # some browsers omit it on same-origin posts; the Referer then says
        referer = urlsplit(request.headers.get("referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
    return origin in get_settings().allowed_origins


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _foreign(wants_json: bool, detail: str) -> Response:
    """The answer to a post from another origin, which changed nothing."""
    return problem(403, detail) if wants_json else back(LOGIN, error="origin")


def back(page: str, **params: str) -> RedirectResponse:
    """A 303 to one of the app's pages with `params` (empty ones left out) in its query."""
    query = urlencode({key: value for key, value in params.items() if value})
    return RedirectResponse(f"{page}?{query}" if query else page, status_code=303)


def with_session(response: RedirectResponse, secret: str) -> RedirectResponse:
    """`response` carrying the session cookie for `secret`."""
    response.set_cookie(
        sessions.COOKIE_NAME,
        secret,
        max_age=sessions.cookie_max_age(),
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


def signed_in(
    actor: Actor,
    target: str,
    *,
    method: SignInMethod = SignInMethod.PASSWORD,
    agent: str | None = None,
) -> RedirectResponse:
    """Start a session for `actor` signed in by `method`: its cookie, and a 303 to `target`
    (a safe path)."""
    response = RedirectResponse(safe_next(target), status_code=303)
    return with_session(response, sessions.start(actor, method=method, agent=agent))


def _agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def next_step(step: steps.Step, target: str) -> RedirectResponse:
    """Where a right password leads: the code step, the enrolment, or the page asked for."""
    if step.challenge is not None:
        response = back(CODE_PAGE, next=safe_next(target))
        response.set_cookie(
            CODE_COOKIE,
            step.challenge,
            max_age=steps.CHALLENGE_MINUTES * 60,
            path="/auth",
            httponly=True,
            samesite="strict",
            secure=get_settings().secure_cookies,
        )
        return response
    assert step.session is not None
    page = ENROL_PAGE if step.enrolment_only else safe_next(target)
    return with_session(RedirectResponse(page, status_code=303), step.session)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    email: Text = "",
    password: Text = "",
    next: Text = "/",
) -> Response:
    """The login form's post. A script that asks for JSON (`Accept: application/json`) gets
    problem answers instead of redirects: 401 for wrong credentials, 429 with `Retry-After`
    once throttled, 403 from another origin. An account with many recent failures is slowed
    down: the attempt waits (without holding a thread) before its password is checked."""
    wants_json = _wants_json(request)
    if not same_origin(request):
        return _foreign(wants_json, "Sign in from the app's own pages.")
    if delay := await run_in_threadpool(throttle.sign_in_delay, email):
        await asyncio.sleep(delay)
    try:
        actor = await run_in_threadpool(
            users.authenticate, email=email, password=password, address=client_address(request)
        )
    except Throttled as error:
        if wants_json:
            return problem(429, str(error), headers={"Retry-After": str(error.retry_after)})
        return back(LOGIN, error="throttled", retry=str(error.retry_after), next=next)
    except NotSignedIn as error:
        if wants_json:
            return problem(401, str(error))
        return back(LOGIN, error="credentials", next=next)
    step = await run_in_threadpool(steps.after_password, actor, agent=_agent(request))
    return next_step(step, next)


@router.post("/sign-in/code")
async def sign_in_code(
    request: Request,
    code: Annotated[str, Form(max_length=100)] = "",
    next: Text = "/",
) -> Response:
    """The code step's form: a code of the authenticator app (or a recovery code) for the
    one-use cookie a right password left. A wrong code goes back to the code page
    (`error=code`), an expired or used step to the login page (`error=expired`), too many
    wrong codes for the user answer `error=throttled`; JSON callers get 401, 429 problems."""
    wants_json = _wants_json(request)
    if not same_origin(request):
        return _foreign(wants_json, "Sign in from the app's own pages.")
    challenge = request.cookies.get(CODE_COOKIE)
    try:
        secret = await run_in_threadpool(
            steps.with_code, challenge=challenge, code=code, agent=_agent(request)
        )
    except Throttled as error:
        if wants_json:
            return problem(429, str(error), headers={"Retry-After": str(error.retry_after)})
        return back(CODE_PAGE, error="throttled", retry=str(error.retry_after), next=next)
    except NotSignedIn as error:
        if wants_json:
            return problem(401, str(error))
        if str(error) == steps.WRONG_CODE:
            return back(CODE_PAGE, error="code", next=next)
        expired = back(LOGIN, error="expired", next=next)
        expired.delete_cookie(CODE_COOKIE, path="/auth")
        return expired
    response = with_session(RedirectResponse(safe_next(next), status_code=303), secret)
    response.delete_cookie(CODE_COOKIE, path="/auth")
    return response


@router.get("/oidc/start")
async def oidc_start(next: Annotated[str, Query(max_length=1000)] = "/") -> Response:
    """Sends the browser to the company's OpenID provider (when it is configured), with the
    flow's state, nonce and PKCE verifier in a signed cookie for the callback."""
    if not get_settings().oidc_enabled:
        return back(LOGIN, error="sso-off")
    try:
        address, flow = await run_in_threadpool(oidc.start, next_path=safe_next(next))
    except oidc.SsoRefused as error:
        return back(LOGIN, error="sso", reason=error.reason)
    response = RedirectResponse(address, status_code=303)
    response.set_cookie(
        oidc.COOKIE_NAME,
        flow,
        max_age=oidc.FLOW_MINUTES * 60,
        path="/auth/oidc",
        httponly=True,
        samesite="lax",  # the provider sends the browser back with a top-level GET
        secure=get_settings().secure_cookies,
    )
    return response


@router.get("/oidc/callback")
async def oidc_callback(
    request: Request,
    state: Annotated[str, Query(max_length=1000)] = "",
    code: Annotated[str, Query(max_length=4000)] = "",
) -> Response:
    """The provider's answer: a session and the page asked for, or the login page with
    `error=sso` and a `reason` (state, nonce, token, unverified, domain, inactive, provider).
    The flow cookie is dropped either way: one answer per flow."""
    if not get_settings().oidc_enabled:
        return back(LOGIN, error="sso-off")
    try:
        secret, target = await run_in_threadpool(
            oidc.finish,
            cookie=request.cookies.get(oidc.COOKIE_NAME),
            state=state,
            code=code,
            agent=_agent(request),
        )
        response = with_session(RedirectResponse(safe_next(target), status_code=303), secret)
    except oidc.SsoRefused as error:
        response = back(LOGIN, error="sso", reason=error.reason)
    response.delete_cookie(oidc.COOKIE_NAME, path="/auth/oidc")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends the session and clears its cookie; from another origin, changes nothing and
    answers as sign-in does (the login page with `error=origin`, or 403 for JSON)."""
    if not same_origin(request):
        return _foreign(_wants_json(request), "Sign out from the app's own pages.")
    secret = sessions.secret_from_cookies(request.headers.get("cookie"))
    await run_in_threadpool(sessions.revoke, secret)
    response = back(LOGIN, notice="signed-out")
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


def _problem_code(error: InvalidInput) -> dict[str, str]:
    """The first bad field, and for a password which rule it broke."""
    first = error.errors[0]
    reasons = {message: code for code, message in passwords.WEAKNESSES.items()}
    return {"error": first.field, "reason": reasons.get(first.message, "")}


@router.post("/setup")
async def complete_setup(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    email: Text = "",
    name: Text = "",
    password: Text = "",
) -> Response:
    if not same_origin(request):
        return back(setup.SETUP_PATH, token=token, error="origin")
    try:
        actor = await run_in_threadpool(
            setup.create_first_admin, token=token, email=email, name=name, password=password
        )
    except NotFound:
        return back(setup.SETUP_PATH, error="gone")
    except InvalidInput as error:
        return back(setup.SETUP_PATH, token=token, **_problem_code(error))
    return await run_in_threadpool(signed_in, actor, "/")


class SetupGate:
    """ASGI middleware: the setup page answers 404 unless its address is still good (no
    admin yet, the link unused and unexpired), so a desk with an admin has no setup page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"].rstrip("/") == setup.SETUP_PATH
        ):
            token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])
            if not await run_in_threadpool(setup.is_valid, token[0]):
                page = HTMLResponse(GONE_PAGE, status_code=404)
                await page(scope, receive, send)
                return
        await self.app(scope, receive, send)


GONE_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>No setup</title></head>"
    "<body><main><h1>There is no setup to do here</h1><p>The desk already has an admin, or "
    "this address expired (restart the server for a new one).</p>"
    "<p><a href='/login'>Sign in</a></p></main></body></html>"
)
