"""The UI's sign-in and sign-out form posts (`/auth/sign-in`, `/auth/sign-out`), as a browser
sends them: the session cookie, where the answer redirects, the Origin check, and throttling
per account and client address together and per client address (the attacks of issue 21 are
in test_signin_hardening.py).

Clients here come from chosen addresses (TestClient's `client`), so the account rule and
the address rule can each be tried without the other. Passwords use Argon2id at its least
cost (see `cheap_passwords`): the rules do not depend on the cost.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.support.database import count_rows
from tests.support.passwords import PASSWORD, cheap_passwords
from ticket_app.config import get_settings
from ticket_app.services import sessions

EVIL = "https://evil.example"


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    """The test users' hash (overrides conftest's): cheap, like every hash in this module."""
    return cheap_passwords(monkeypatch)


@pytest.fixture
def browser(engine):
    """`browser(address="10.0.0.1")`: a client of the whole app from that address, which
    follows no redirects."""
    from ticket_app.api.app import create_api

    app = create_api()
    opened: list[TestClient] = []

    def open_(address: str = "10.0.0.1") -> TestClient:
        client = TestClient(
            app,
            base_url=get_settings().app_url,
            client=(address, 50000),
            follow_redirects=False,
        )
        opened.append(client.__enter__())
        return client

    yield open_
    for client in opened:
        client.__exit__(None, None, None)


def origin() -> dict[str, str]:
    return {"Origin": get_settings().app_url}


def sign_in(client, email, password=PASSWORD, next_="/", json=False, headers=None):
    sent = {**origin(), **(headers if headers is not None else {})}
    if json:
        sent["Accept"] = "application/json"
    form = {"email": email, "password": password, "next": next_}
    return client.post("/auth/sign-in", data=form, headers=sent)


def redirect(response) -> tuple[str, dict[str, list[str]]]:
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["location"])
    return target.path, parse_qs(target.query)


def session_cookie(response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{sessions.COOKIE_NAME}="):
            return header
    return None


def test_signing_in_sets_a_safe_cookie_and_goes_where_asked(browser, agent):
    response = sign_in(browser(), "Alan.Agent@Example.com", next_="/tickets?status=open")
    assert response.status_code == 303
    assert response.headers["location"] == "/tickets?status=open"
    cookie = session_cookie(response)
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # the app is served over plain http here
    secret = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.resolve(secret).id == agent.id


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "/\t/evil.com",  # browsers drop the tab: //evil.com
        "http:/evil.com",
        "javascript:alert(1)",
        "/login",
        "/login?next=/x",
        "/auth/sign-out",
        "/setup?token=x",
        "",
    ],
)
def test_signing_in_never_sends_the_browser_to_another_site(browser, agent, target):
    response = sign_in(browser(), agent.actor.email, next_=target)
    assert response.headers["location"] == "/"
    assert session_cookie(response) is not None


def test_a_wrong_email_and_a_wrong_password_answer_alike(browser, engine, agent):
    client = browser()
    wrong_password = sign_in(client, agent.actor.email, "not the password", next_="/t")
    wrong_email = sign_in(client, "nobody@example.com", next_="/t")
    for response in (wrong_password, wrong_email):
        assert redirect(response) == ("/login", {"error": ["credentials"], "next": ["/t"]})
        assert session_cookie(response) is None
    as_json = [
        sign_in(browser("10.0.0.2"), agent.actor.email, "not the password", json=True),
        sign_in(browser("10.0.0.2"), "nobody@example.com", json=True),
    ]
    assert [r.status_code for r in as_json] == [401, 401]
    assert as_json[0].json() == as_json[1].json()
    assert count_rows(engine, "user_sessions") == 0


def _fail(browser, emails, addresses):
    for email, address in zip(emails, addresses, strict=True):
        assert redirect(sign_in(browser(address), email, "wrong password"))[1]["error"] == [
            "credentials"
        ]


def assert_throttled(browser, address, email) -> None:
    """Refused even with the right password, as a form post and as JSON."""
    path, query = redirect(sign_in(browser(address), email))
    assert (path, query["error"]) == ("/login", ["throttled"])
    assert int(query["retry"][0]) > 0
    as_json = sign_in(browser(address), email, json=True)
    assert as_json.status_code == 429
    assert as_json.headers["content-type"] == "application/problem+json"
    assert int(as_json.headers["retry-after"]) > 0


def test_five_failures_lock_the_account_from_that_address(browser, engine, agent):
    email = agent.actor.email
    _fail(browser, [email, email.upper(), email, email, email], ["10.1.0.1"] * 5)
    assert_throttled(browser, "10.1.0.1", email)
    assert count_rows(engine, "user_sessions") == 0


def test_four_failures_do_not(browser, agent):
    email = agent.actor.email
    _fail(browser, [email] * 4, ["10.2.0.1"] * 4)
    assert session_cookie(sign_in(browser("10.2.0.1"), email)) is not None


def test_failures_from_one_address_lock_it_for_every_account(browser, agent):
    many = get_settings().sign_in_address_max_failures
    _fail(browser, [f"guess{n}@example.com" for n in range(many)], ["10.3.0.1"] * many)
    assert_throttled(browser, "10.3.0.1", agent.actor.email)
    assert session_cookie(sign_in(browser("10.3.0.2"), agent.actor.email)) is not None


def test_an_unknown_email_is_throttled_like_a_real_one(browser):
    _fail(browser, ["ghost@example.com"] * 5, ["10.4.0.1"] * 5)
    assert_throttled(browser, "10.4.0.1", "ghost@example.com")


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/login"}, {}],
    ids=["foreign", "null", "foreign referer", "none"],
)
def test_a_post_from_another_origin_signs_nobody_in(browser, engine, agent, headers):
    client = browser()
    response = client.post(
        "/auth/sign-in",
        data={"email": agent.actor.email, "password": PASSWORD},
        headers=headers,
    )
    assert redirect(response) == ("/login", {"error": ["origin"]})
    assert session_cookie(response) is None
    as_json = client.post(
        "/auth/sign-in",
        data={"email": agent.actor.email, "password": PASSWORD},
        headers={**headers, "Accept": "application/json"},
    )
    assert as_json.status_code == 403
    assert count_rows(engine, "user_sessions") == 0


def test_a_same_origin_referer_is_enough(browser, agent):
    response = sign_in(
        browser(), agent.actor.email, headers={"Referer": f"{get_settings().app_url}/login"}
    )
    assert session_cookie(response) is not None


def _signed_in(browser, person) -> tuple[TestClient, str]:
    client = browser()
    cookie = session_cookie(sign_in(client, person.actor.email))
    return client, cookie.split(";")[0].split("=", 1)[1]


def test_signing_out_ends_the_session_and_clears_the_cookie(browser, agent):
    client, secret = _signed_in(browser, agent)
    response = client.post(
        "/auth/sign-out",
        headers={**origin(), "Cookie": f"{sessions.COOKIE_NAME}={secret}"},
    )
    assert redirect(response) == ("/login", {"notice": ["signed-out"]})
    cleared = session_cookie(response).lower()
    assert "max-age=0" in cleared or "expires=thu, 01 jan 1970" in cleared
    assert sessions.resolve(secret) is None


def test_another_site_cannot_sign_you_out(browser, agent):
    client, secret = _signed_in(browser, agent)
    response = client.post(
        "/auth/sign-out", headers={"Origin": EVIL, "Cookie": f"{sessions.COOKIE_NAME}={secret}"}
    )
    assert redirect(response) == ("/login", {"error": ["origin"]})
    assert session_cookie(response) is None  # the cookie is left alone, like the session
    assert sessions.resolve(secret).id == agent.id
