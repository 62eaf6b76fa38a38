"""Single sign-on against a real OpenID provider process on loopback (`oidc-provider-mock`,
started here on a free port), and each failure the desk must refuse: a bad state, an answer
without the flow's cookie, a wrong nonce, an unverified address, a domain that may not sign
up, a deactivated user.

The provider process always signs good ID tokens for the client that asks, so a wrong
audience, an expired token, a wrong issuer and a foreign signature come from a small fake
provider served here (discovery, keys and a token endpoint that returns the ID token a test
mints with joserfc); a good token from it is accepted, so each refusal is the check's doing.
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.conftest import reset_caches
from tests.support.database import count_rows
from tests.support.forms import browsers, redirect, set_cookie
from tests.support.oidc_provider import free_port, oidc_provider, person
from ticket_app.services import oidc, sessions

CLIENT_ID = "support-desk"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The issuer URL of an OpenID provider process of its own."""
    with oidc_provider() as issuer:
        yield issuer


def configure(monkeypatch: pytest.MonkeyPatch, issuer: str) -> None:
    monkeypatch.setenv("OIDC_ISSUER", issuer)
    monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("OIDC_ALLOWED_DOMAINS", "example.com")
    monkeypatch.setenv("OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("OIDC_ROLE_MAP", "support-admins=admin,support=agent")
    reset_caches()


@pytest.fixture
def sso(engine, provider: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    configure(monkeypatch, provider)
    yield provider
    monkeypatch.undo()
    reset_caches()


@pytest.fixture
def browser(engine) -> Iterator[Any]:
    with browsers() as open_:
        yield open_


def start(client, next_: str = "/") -> str:
    """The provider's address the desk sends the browser to."""
    response = client.get("/auth/oidc/start", params={"next": next_})
    assert response.status_code == 303, response.text
    assert set_cookie(response, oidc.COOKIE_NAME) is not None
    return response.headers["location"]


def consent(address: str, sub: str) -> str:
    """The person `sub` signs in at the provider: the desk's callback address it sends back."""
    answer = httpx.post(address, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert back.path == oidc.CALLBACK_PATH
    return f"{back.path}?{back.query}"


def sign_on(client, sub: str, next_: str = "/") -> Any:
    return client.get(consent(start(client, next_), sub))


def refused_for(response) -> str:
    path, query = redirect(response)
    assert (path, query["error"]) == ("/login", ["sso"])
    assert set_cookie(response, sessions.COOKIE_NAME) is None
    return query["reason"][0]


def with_query(address: str, **changes: str) -> str:
    parts = urlsplit(address)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def test_a_colleague_lands_as_an_agent_because_of_their_group(sso, browser, api, admin, engine):
    person(sso, "colleague-1", email="Cleo@Example.com", name="Cleo Colleague", groups=["support"])
    response = sign_on(browser(agent="Chromium/140"), "colleague-1", "/tickets")
    assert redirect(response) == ("/tickets", {})
    actor = sessions.resolve(set_cookie(response, sessions.COOKIE_NAME))
    assert (actor.email, actor.name, actor.role) == ("cleo@example.com", "Cleo Colleague", "agent")
    [listed] = api(admin).get(f"/api/users/{actor.id}/sessions/").json()
    assert (listed["method"], listed["user_agent"]) == ("sso", "Chromium/140")
    again = sign_on(browser(), "colleague-1")  # the next time: the same account
    assert sessions.resolve(set_cookie(again, sessions.COOKIE_NAME)).id == actor.id
    assert count_rows(engine, "users", "email = 'cleo@example.com'") == 1
    assert count_rows(engine, "user_identities") == 1


def test_no_group_makes_a_requester(sso, browser):
    person(sso, "customer-1", email="cus@example.com", groups=["sales"])
    response = sign_on(browser(), "customer-1")
    assert sessions.resolve(set_cookie(response, sessions.COOKIE_NAME)).role == "requester"


def test_an_existing_account_with_the_address_is_linked_not_duplicated(
    sso, browser, api, admin, agent, engine
):
    person(sso, "alan-at-idp", email=agent.actor.email, groups=["support-admins"])
    response = sign_on(browser(), "alan-at-idp")
    actor = sessions.resolve(set_cookie(response, sessions.COOKIE_NAME))
    assert (actor.id, actor.role) == (agent.id, "agent")  # the group does not promote
    assert count_rows(engine, "users") == 2
    events = api(admin).get(f"/api/users/{agent.id}/security-events/").json()
    assert [event["kind"] for event in events] == ["sso_linked"]


def test_a_bad_state_signs_nobody_in(sso, browser, engine):
    person(sso, "s-1", email="s1@example.com")
    client = browser()
    callback = consent(start(client), "s-1")
    assert refused_for(client.get(with_query(callback, state="forged"))) == "state"
    assert count_rows(engine, "users") == 0


def test_an_answer_without_the_flows_cookie_is_refused(sso, browser, engine):
    """A code obtained by an attacker, pushed into a victim's browser (login CSRF)."""
    person(sso, "attacker", email="attacker@example.com")
    callback = consent(start(browser()), "attacker")
    assert refused_for(browser("10.0.0.7").get(callback)) == "state"
    assert count_rows(engine, "users") == 0


def test_a_wrong_nonce_is_refused(sso, browser, engine):
    """The ID token of another sign-in (its nonce) is not accepted for this one."""
    person(sso, "n-1", email="n1@example.com")
    client = browser()
    address = with_query(start(client), nonce="someone-elses-nonce")
    assert refused_for(client.get(consent(address, "n-1"))) == "nonce"
    assert count_rows(engine, "users") == 0


def test_an_unverified_address_is_refused(sso, browser, make_person, engine):
    existing = make_person("admin", "Ada Admin")
    person(sso, "u-1", email=existing.actor.email, email_verified=False)
    assert refused_for(sign_on(browser(), "u-1")) == "unverified"
    assert count_rows(engine, "user_identities") == 0


def test_a_domain_that_may_not_sign_up_is_refused(sso, browser, engine):
    person(sso, "d-1", email="someone@elsewhere.example", groups=["support-admins"])
    assert refused_for(sign_on(browser(), "d-1")) == "domain"
    assert count_rows(engine, "users") == 0


def test_a_deactivated_user_stays_out(sso, browser, api, admin, agent):
    person(sso, "gone", email=agent.actor.email)
    assert sessions.resolve(set_cookie(sign_on(browser(), "gone"), sessions.COOKIE_NAME))
    assert api(admin).patch(f"/api/users/{agent.id}/", json={"active": False}).status_code == 200
    assert refused_for(sign_on(browser(), "gone")) == "inactive"


def test_without_settings_there_is_no_single_sign_on(browser):
    response = browser().get("/auth/oidc/start")
    assert redirect(response) == ("/login", {"error": ["sso-off"]})


class FakeProvider:
    """Discovery, keys and a token endpoint; the ID token is what `mint` makes of the
    flow's nonce."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "good"})
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.mint: Callable[[str], str] = lambda nonce: ""
        self.nonce = ""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": fake.issuer,
                            "authorization_endpoint": fake.issuer + "/authorize",
                            "token_endpoint": fake.issuer + "/token",
                            "jwks_uri": fake.issuer + "/jwks",
                        }
                    )
                else:
                    self._json(KeySet([fake.key]).as_dict(private=False))

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                token = fake.mint(fake.nonce)
                self._json({"access_token": "a", "token_type": "Bearer", "id_token": token})

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "fake-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "fay@example.com",
            "email_verified": True,
            **changes,
        }

    def signed(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    yield provider
    provider.server.shutdown()


@pytest.fixture
def fake_sso(engine, fake: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    configure(monkeypatch, fake.issuer)
    yield fake
    monkeypatch.undo()
    reset_caches()


STRANGER = RSAKey.generate_key(2048, parameters={"kid": "good"})  # same kid, other key

TOKENS: dict[str, Callable[[FakeProvider, str], str]] = {
    "wrong audience": lambda f, n: f.signed(f.claims(n, aud="another-client")),
    "audiences without us as azp": lambda f, n: f.signed(
        f.claims(n, aud=[CLIENT_ID, "another"], azp="another")
    ),
    "expired": lambda f, n: f.signed(f.claims(n, exp=int(time.time()) - 3600)),
    "wrong issuer": lambda f, n: f.signed(f.claims(n, iss="https://evil.example")),
    "foreign signature": lambda f, n: f.signed(f.claims(n), STRANGER),
    "no nonce": lambda f, n: f.signed({k: v for k, v in f.claims(n).items() if k != "nonce"}),
}


def fake_callback(fake: FakeProvider, client, mint: Callable[[FakeProvider, str], str]) -> Any:
    query = parse_qs(urlsplit(start(client)).query)
    fake.nonce = query["nonce"][0]
    fake.mint = lambda nonce: mint(fake, nonce)
    return client.get(oidc.CALLBACK_PATH, params={"state": query["state"][0], "code": "c"})


def test_a_good_token_of_the_fake_provider_signs_in(fake_sso, browser):
    response = fake_callback(fake_sso, browser(), lambda f, n: f.signed(f.claims(n)))
    assert sessions.resolve(set_cookie(response, sessions.COOKIE_NAME)).email == "fay@example.com"


@pytest.mark.parametrize("case", TOKENS)
def test_an_id_token_that_fails_a_check_is_refused(fake_sso, browser, engine, case):
    assert refused_for(fake_callback(fake_sso, browser(), TOKENS[case])) in ("token", "nonce")
    assert count_rows(engine, "users") == 0
