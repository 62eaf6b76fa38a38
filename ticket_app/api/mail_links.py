"""The addresses mails link to: a requester's sign-in link, asking for one, and unsubscribing.

Mail providers' link scanners open every link in a mail, so opening one (GET) never changes
anything: it shows a tiny page with one button, and only that button's POST spends the
sign-in token (and signs in, with a session cookie like the sign-in form's) or turns the
kind of mail off. The unsubscribe POST also answers mail clients' RFC 8058 one-click
(`List-Unsubscribe=One-Click`, sent without cookies from anywhere), so it needs no origin
check: its signed token is the whole authority, and it can only turn mail off.

Asking for a sign-in link answers the same whether or not the address has an account (and
whether or not the limits were reached), so it tells nobody who has one.
"""

import html
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from ticket_app.api.clients import client_address
from ticket_app.api.problems import problem
from ticket_app.api.signin import LOGIN, back, next_step, same_origin
from ticket_app.domain import SignInMethod
from ticket_app.services import notifications, signin_links
from ticket_app.services import sign_in as steps
from ticket_app.services.errors import NotFound

router = APIRouter(prefix="/auth", include_in_schema=False)
Token = Annotated[str, Form(max_length=signin_links.TOKEN_MAX_LENGTH)]
LINK_ANSWER = "If that address has an account here, a sign-in link is on its way."


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>"
        f"{body}</main></body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin"},
    )


def _button(action: str, token: str, label: str) -> str:
    return (
        f"<form method='post' action='{action}'>"
        f"<input type='hidden' name='token' value='{html.escape(token, quote=True)}'>"
        f"<button type='submit'>{html.escape(label)}</button></form>"
    )


@router.get("/link")
async def link_page(token: str = "") -> Response:
    """The page a sign-in link opens: one button that signs in (nothing happens before)."""
    if not signin_links.looks_valid(token):
        return _page(
            "This link does not work",
            "<p>Ask for a new one on the <a href='/login'>sign-in page</a>.</p>",
            404,
        )
    return _page("Sign in", _button("/auth/link", token, "Sign in and open my request"))


@router.post("/link")
async def spend_link(request: Request, token: Token = "") -> Response:
    """Spend the link and sign its requester in; a used, expired or forged link (or one for
    staff) goes back to the login page with `error=link`."""
    if not same_origin(request):
        return back(LOGIN, error="origin")
    spent = await run_in_threadpool(signin_links.spend, token)
    if spent is None:
        return back(LOGIN, error="link")
    actor, target = spent
    step = await run_in_threadpool(
        lambda: steps.after_password(
            actor, agent=request.headers.get("user-agent"), method=SignInMethod.MAIL_LINK
        )
    )
    return next_step(step, target)  # a requester who turned two-factor on is asked for it


class LinkRequest(BaseModel):
    email: str = Field(max_length=254)


def _asked_in_json(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/json")


@router.post("/link/request")
async def request_link(request: Request) -> Response:
    """ "Email me a sign-in link": the login page's form (303 back to it with a notice) or a
    JSON body (202); the same answer for every address."""
    in_json = _asked_in_json(request)
    if not same_origin(request):
        if in_json:
            return problem(403, "Ask for a sign-in link from the app's own pages.")
        return back(LOGIN, error="origin")
    try:
        if in_json:
            email = LinkRequest.model_validate_json(await request.body()).email
        else:
            email = LinkRequest.model_validate({"email": (await request.form()).get("email")}).email
    except ValidationError:
        if in_json:
            return problem(422, "Give an email address (at most 254 characters).")
        return back(LOGIN, error="email")
    await run_in_threadpool(signin_links.request_link, email, address=client_address(request))
    if not in_json:
        return back(LOGIN, notice="link-sent")
    return Response(
        content='{"detail": "' + LINK_ANSWER + '"}',
        status_code=202,
        media_type="application/json",
    )


@router.get("/unsubscribe")
async def unsubscribe_page(token: str = "") -> Response:
    """The page a mail's unsubscribe link opens: one button (a GET changes nothing)."""
    return _page(
        "Stop these mails",
        "<p>You will no longer get this kind of mail (notifications in the app stay as you "
        "chose).</p>" + _button("/auth/unsubscribe", token, "Stop these mails"),
    )


@router.post("/unsubscribe")
async def unsubscribe(request: Request, token: str = "") -> Response:
    """The button's post, and mail clients' one-click post (RFC 8058: the token in the
    address, `List-Unsubscribe=One-Click` in the body)."""
    if not token:
        form = await request.form()
        token = str(form.get("token", ""))[: signin_links.TOKEN_MAX_LENGTH]
    try:
        await run_in_threadpool(notifications.unsubscribe, token=token)
    except NotFound:
        return _page(
            "This link does not work", "<p>Change your mail on your account page.</p>", 404
        )
    return _page("Done", "<p>You will no longer get this kind of mail.</p>")
