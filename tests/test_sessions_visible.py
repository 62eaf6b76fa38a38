"""Sessions people can see: their own (when, which browser, how signed in), ended one at a
time or all at once; admins see and end anyone's sessions and tokens. Someone else's session
or token is not found for a non-admin, and stays valid."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.forms import browsers, redirect, set_cookie, sign_in
from tests.support.passwords import cheap_passwords
from ticket_app.services import api_tokens, sessions


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    return cheap_passwords(monkeypatch)


@pytest.fixture
def browser(engine) -> Iterator[Any]:
    with browsers() as open_:
        yield open_


def signed_in(browser, email: str, agent: str) -> str:
    response = sign_in(browser(agent=agent), email)
    assert redirect(response)[0] == "/"
    secret = set_cookie(response, sessions.COOKIE_NAME)
    assert secret is not None
    return secret


def test_people_see_their_sessions_and_end_one(browser, api, agent):
    laptop = signed_in(browser, agent.actor.email, "Firefox/140 (Linux)")
    phone = signed_in(browser, agent.actor.email, "Mobile Safari/18")
    listed = api(agent).get("/api/me/sessions/")
    assert listed.status_code == 200
    rows = listed.json()
    assert {(row["user_agent"], row["method"], row["current"]) for row in rows} == {
        ("Firefox/140 (Linux)", "password", False),
        ("Mobile Safari/18", "password", False),
    }
    phone_id = next(row["id"] for row in rows if row["user_agent"] == "Mobile Safari/18")
    assert api(agent).delete(f"/api/me/sessions/{phone_id}/").status_code == 204
    assert sessions.resolve(phone) is None
    assert sessions.resolve(laptop).id == agent.id
    again = api(agent).delete(f"/api/me/sessions/{phone_id}/")
    assert again.status_code == 404
    assert again.headers["content-type"] == "application/problem+json"


def test_the_session_acted_through_is_marked_and_survives_ending_the_others(browser, agent):
    here = signed_in(browser, agent.actor.email, "Here/1")
    there = signed_in(browser, agent.actor.email, "There/1")
    actor = sessions.resolve(here)
    assert [row.current for row in sessions.list_own(actor) if row.user_agent == "Here/1"] == [True]
    assert sessions.end_others(actor) == 1
    assert sessions.resolve(there) is None
    assert sessions.resolve(here).id == agent.id


def test_a_non_admin_cannot_end_someone_elses_session(browser, api, agent, make_person):
    other = make_person("agent", "Olga Other")
    theirs = signed_in(browser, other.actor.email, "Theirs/1")
    their_id = api(other).get("/api/me/sessions/").json()[0]["id"]
    assert api(agent).delete(f"/api/me/sessions/{their_id}/").status_code == 404
    assert api(agent).get(f"/api/users/{other.id}/sessions/").status_code == 403
    assert api(agent).delete(f"/api/users/{other.id}/sessions/{their_id}/").status_code == 403
    assert api(agent).delete(f"/api/users/{other.id}/sessions/").status_code == 403
    assert api(agent).get(f"/api/users/{other.id}/tokens/").status_code == 403
    assert sessions.resolve(theirs).id == other.id
    assert api(agent).delete("/api/me/sessions/").json() == {"ended": 0}
    assert sessions.resolve(theirs).id == other.id


def test_admins_see_and_end_a_users_sessions_and_tokens(browser, api, admin, agent):
    first = signed_in(browser, agent.actor.email, "One/1")
    second = signed_in(browser, agent.actor.email, "Two/1")
    listed = api(admin).get(f"/api/users/{agent.id}/sessions/").json()
    assert {row["user_agent"] for row in listed} == {"One/1", "Two/1"}
    one = next(row["id"] for row in listed if row["user_agent"] == "One/1")
    assert api(admin).delete(f"/api/users/{admin.id}/sessions/{one}/").status_code == 404
    assert api(admin).delete(f"/api/users/{agent.id}/sessions/{one}/").status_code == 204
    assert sessions.resolve(first) is None
    assert sessions.resolve(second).id == agent.id
    assert api(admin).delete(f"/api/users/{agent.id}/sessions/").json() == {"ended": 1}
    assert sessions.resolve(second) is None

    tokens = api(admin).get(f"/api/users/{agent.id}/tokens/").json()
    assert [token["name"] for token in tokens] == ["tests"]
    assert "token" not in tokens[0]
    assert api(admin).delete(f"/api/users/{admin.id}/tokens/{tokens[0]['id']}/").status_code == 404
    assert api(admin).delete(f"/api/users/{agent.id}/tokens/{tokens[0]['id']}/").status_code == 204
    assert api_tokens.resolve(agent.token) is None
    assert api(agent).get("/api/me/").status_code == 401
    kinds = [
        event["kind"] for event in api(admin).get(f"/api/users/{agent.id}/security-events/").json()
    ]
    assert kinds == ["token_revoked_by_admin", "session_ended_by_admin", "session_ended_by_admin"]
    assert api(admin).get("/api/users/999999/sessions/").status_code == 404


def test_a_long_or_unprintable_user_agent_is_kept_short_and_plain(browser, api, agent):
    signed_in(browser, agent.actor.email, "Fire\tfox" + "X" * 2000)
    [row] = api(agent).get("/api/me/sessions/").json()
    assert row["user_agent"] == ("Firefox" + "X" * 2000)[:400]
