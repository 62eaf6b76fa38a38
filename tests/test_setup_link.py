"""The first admin's one-time setup address: it works once, for nobody once an admin exists,
and a refused attempt (a weak password, another origin) leaves it usable.

The page itself is Reflex's; what guards it is the SetupGate middleware on the API app, so a
GET through `create_api()` shows whether the gate lets a browser through (a 404 page when not).
"""

import pytest

from tests.support.database import count_rows
from tests.support.passwords import cheap_passwords
from tests.test_signin_forms import EVIL, origin, redirect, session_cookie
from ticket_app.services import sessions, setup, users

GONE = "There is no setup to do here"
FIRST_ADMIN = {"email": "first@example.com", "name": "First Admin", "password": "a long passphrase"}


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    """Cheap hashes (see `cheap_passwords`): the first admin's password is hashed."""
    return cheap_passwords(monkeypatch)


@pytest.fixture
def address(engine) -> str:
    found = setup.pending_address()
    assert found is not None
    return found


def token_of(address: str) -> str:
    return address.split("token=", 1)[1]


def complete(client, token: str, headers=None, **changes):
    form = {"token": token, **FIRST_ADMIN, **changes}
    sent = origin() if headers is None else headers
    return client.post("/auth/setup", data=form, headers=sent, follow_redirects=False)


def gate_lets_through(client, address: str) -> bool:
    response = client.get(address, follow_redirects=False)
    if response.status_code == 404 and GONE in response.text:
        assert response.headers["content-type"].startswith("text/html")
        return False
    return True


def test_the_address_is_stable_and_works_once(api, engine, address):
    client = api()
    assert setup.pending_address() == address  # restarts and workers print the same one
    assert len(token_of(address)) == 64
    assert gate_lets_through(client, address)
    done = complete(client, token_of(address))
    assert done.headers["location"] == "/"
    secret = session_cookie(done).split(";")[0].split("=", 1)[1]
    admin = sessions.resolve(secret)
    assert (admin.email, admin.role) == ("first@example.com", "admin")
    again = complete(client, token_of(address), email="second@example.com")
    assert redirect(again) == ("/setup", {"error": ["gone"]})
    assert count_rows(engine, "users") == 1
    assert not gate_lets_through(client, address)
    assert setup.pending_address() is None


@pytest.mark.parametrize("query", ["?token=bad", "?token=" + "0" * 64, "", "?token="])
def test_a_wrong_token_gets_the_404_page(api, address, query):
    client = api()
    assert not gate_lets_through(client, f"/setup{query}")
    assert not gate_lets_through(client, f"/setup/{query}")
    assert client.head(f"/setup{query}").status_code == 404
    assert redirect(complete(client, query.removeprefix("?token="))) == (
        "/setup",
        {"error": ["gone"]},
    )
    assert users.active_admins() == 0


def test_a_leaked_address_is_dead_once_an_admin_exists(api, engine, address, make_person):
    make_person("admin", "Made Elsewhere")  # by the CLI or ADMIN_EMAIL, say
    client = api()
    assert not gate_lets_through(client, address)
    assert redirect(complete(client, token_of(address))) == ("/setup", {"error": ["gone"]})
    assert count_rows(engine, "users", "email = 'first@example.com'") == 0


@pytest.mark.parametrize(
    ("change", "error", "reason"),
    [
        ({"password": "short"}, "password", "short"),
        ({"password": "first admin 123"}, "password", "personal"),
        ({"email": "not an email"}, "email", ""),
        ({"name": "   "}, "name", ""),
    ],
)
def test_a_refused_attempt_keeps_the_address_usable(api, address, change, error, reason):
    client = api()
    path, query = redirect(complete(client, token_of(address), **change))
    assert path == "/setup"
    assert query["error"] == [error]
    assert query.get("reason", [""]) == [reason]
    assert query["token"] == [token_of(address)]
    assert users.active_admins() == 0
    assert gate_lets_through(client, address)
    assert complete(client, token_of(address)).headers["location"] == "/"


def test_setup_from_another_origin_creates_nobody(api, address):
    client = api()
    response = complete(client, token_of(address), headers={"Origin": EVIL})
    assert redirect(response)[1]["error"] == ["origin"]
    assert users.active_admins() == 0
    assert complete(client, token_of(address)).headers["location"] == "/"
