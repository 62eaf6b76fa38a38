"""Two-factor sign-in as browsers and admins meet it, and each way around it tried: a code
replayed, a recovery code reused, codes guessed in a loop, the code step forged, reused or
taken over by another user's code, staff without two-factor at a desk that requires it
reaching anything but enrolment, and a non-admin resetting someone's two-factor.

Enrolment is driven through the service (its page comes with the account page); sign-in
through the form posts, as a browser sends them.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from tests.conftest import reset_caches
from tests.support.database import count_rows
from tests.support.forms import browsers, post_code, redirect, set_cookie, sign_in
from tests.support.passwords import PASSWORD, cheap_passwords
from ticket_app.api.signin import CODE_COOKIE, ENROL_PAGE
from ticket_app.models import utc_now
from ticket_app.services import api_tokens, sessions, two_factor
from ticket_app.services.errors import Forbidden, InvalidInput

STEP = two_factor.STEP_SECONDS


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    return cheap_passwords(monkeypatch)


@pytest.fixture
def browser(engine) -> Iterator[Any]:
    with browsers() as open_:
        yield open_


def code_at(secret: str, steps_from_now: int = 0) -> str:
    """The authenticator app's code `steps_from_now` steps of 30 s away."""
    moment = utc_now() + timedelta(seconds=STEP * steps_from_now)
    return pyotp.TOTP(secret).at(moment)


def enrol(actor) -> tuple[str, list[str]]:
    """Two-factor turned on for `actor`: (the secret, the ten recovery codes). The code that
    confirmed it is used: the next sign-in needs the next step's code."""
    enrolment = two_factor.begin_enrolment(actor)
    return enrolment.secret, two_factor.confirm_enrolment(actor, code=code_at(enrolment.secret))


def to_code_step(client, email: str, next_: str = "/") -> None:
    response = sign_in(client, email, next_=next_)
    assert redirect(response) == ("/login/code", {"next": [next_]})
    assert set_cookie(response, sessions.COOKIE_NAME) is None
    assert set_cookie(response, CODE_COOKIE) is not None


def session_of(response) -> str:
    secret = set_cookie(response, sessions.COOKIE_NAME)
    assert secret is not None
    return secret


def test_enrolment_shows_a_qr_code_and_confirms_only_with_a_current_code(agent):
    enrolment = two_factor.begin_enrolment(agent.actor)
    assert enrolment.qr_data_uri.startswith("data:image/svg+xml")
    assert enrolment.uri.startswith("otpauth://totp/")
    assert enrolment.secret in enrolment.uri
    assert not two_factor.status(agent.actor).enabled  # pending until a code confirms it
    with pytest.raises(InvalidInput, match="code"):
        two_factor.confirm_enrolment(agent.actor, code=code_at(enrolment.secret, -5))
    codes = two_factor.confirm_enrolment(agent.actor, code=code_at(enrolment.secret))
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert two_factor.status(agent.actor).model_dump() == {
        "enabled": True,
        "recovery_codes_left": 10,
        "required": False,
    }


def test_password_then_code_signs_in_and_the_session_says_so(browser, api, agent):
    secret, _ = enrol(agent.actor)
    client = browser(agent="Firefox/140")
    to_code_step(client, agent.actor.email, "/tickets")
    response = post_code(client, code_at(secret, 1), "/tickets")
    assert redirect(response) == ("/tickets", {})
    assert sessions.resolve(session_of(response)).id == agent.id
    assert set_cookie(response, CODE_COOKIE) is None  # the step's cookie is cleared
    listed = api(agent).get("/api/me/sessions/").json()
    assert [(s["method"], s["user_agent"]) for s in listed] == [("two_factor", "Firefox/140")]


def test_a_code_cannot_be_replayed_within_its_window(browser, agent):
    secret, _ = enrol(agent.actor)
    code = code_at(secret, 1)
    first = browser()
    to_code_step(first, agent.actor.email)
    assert redirect(post_code(first, code))[0] == "/"
    second = browser("10.0.0.2")  # the same code, seen over a shoulder, from elsewhere
    to_code_step(second, agent.actor.email)
    refused = post_code(second, code)
    assert redirect(refused) == ("/login/code", {"error": ["code"], "next": ["/"]})
    assert set_cookie(refused, sessions.COOKIE_NAME) is None
    assert redirect(post_code(second, code_at(secret, 0)))[1]["error"] == ["code"]  # older


def test_a_recovery_code_works_once(browser, api, admin, agent):
    _, codes = enrol(agent.actor)
    first = browser()
    to_code_step(first, agent.actor.email)
    assert redirect(post_code(first, codes[0].upper()))[0] == "/"  # as typed from paper
    again = browser()
    to_code_step(again, agent.actor.email)
    assert redirect(post_code(again, codes[0]))[1]["error"] == ["code"]
    assert two_factor.status(agent.actor).recovery_codes_left == 9
    events = api(admin).get(f"/api/users/{agent.id}/security-events/").json()
    assert [event["kind"] for event in events] == ["recovery_code_used", "two_factor_enabled"]


@pytest.fixture
def three_failures(monkeypatch: pytest.MonkeyPatch, engine) -> Iterator[None]:
    monkeypatch.setenv("SIGN_IN_MAX_FAILURES", "3")
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


def test_wrong_codes_are_throttled_per_user_from_any_address(browser, agent, three_failures):
    secret, _ = enrol(agent.actor)
    for attempt in range(3):
        client = browser(f"10.0.1.{attempt}")
        to_code_step(client, agent.actor.email)
        assert redirect(post_code(client, "000000"))[1]["error"] == ["code"]
    client = browser("10.0.2.1")
    to_code_step(client, agent.actor.email)
    refused = post_code(client, code_at(secret, 1), json=True)  # even the right one waits
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert redirect(post_code(client, code_at(secret, 1)))[1]["error"] == ["throttled"]


def test_a_forged_missing_or_expired_code_step_signs_nobody_in(browser, agent, engine):
    secret, _ = enrol(agent.actor)
    client = browser()
    assert redirect(post_code(client, code_at(secret, 1)))[1]["error"] == ["expired"]
    client.cookies.set(CODE_COOKIE, "sdc_" + "A" * 43, path="/auth")  # well-formed, made up
    assert redirect(post_code(client, code_at(secret, 1)))[1]["error"] == ["expired"]
    to_code_step(client, agent.actor.email)
    with engine.begin() as connection:  # the step's five minutes pass
        connection.execute(
            sa.text("UPDATE sign_in_challenges SET expires_at = :past"),
            {"past": utc_now() - timedelta(seconds=1)},
        )
    refused = post_code(client, code_at(secret, 1))
    assert redirect(refused) == ("/login", {"error": ["expired"], "next": ["/"]})
    assert set_cookie(refused, sessions.COOKIE_NAME) is None


def test_a_code_step_is_used_once(browser, agent):
    secret, codes = enrol(agent.actor)
    client = browser()
    to_code_step(client, agent.actor.email)
    step_cookie = client.cookies.get(CODE_COOKIE)
    assert redirect(post_code(client, code_at(secret, 1)))[0] == "/"
    thief = browser("10.9.9.9")  # the step's cookie again, with a good (recovery) code
    thief.cookies.set(CODE_COOKIE, step_cookie, path="/auth")
    refused = post_code(thief, codes[0])
    assert redirect(refused)[1]["error"] == ["expired"]
    assert set_cookie(refused, sessions.COOKIE_NAME) is None
    assert two_factor.status(agent.actor).recovery_codes_left == 10


def test_another_users_code_does_not_finish_my_step(browser, make_person):
    mine, theirs = make_person("agent", "Mia Mine"), make_person("agent", "Theo Theirs")
    enrol(mine.actor)
    their_secret, their_codes = enrol(theirs.actor)
    client = browser()
    to_code_step(client, mine.actor.email)
    assert redirect(post_code(client, code_at(their_secret, 1)))[1]["error"] == ["code"]
    assert redirect(post_code(client, their_codes[0]))[1]["error"] == ["code"]


def test_the_code_step_from_another_origin_changes_nothing(browser, agent):
    secret, _ = enrol(agent.actor)
    client = browser()
    to_code_step(client, agent.actor.email)
    foreign = client.post(
        "/auth/sign-in/code",
        data={"code": code_at(secret, 1)},
        headers={"Origin": "https://evil.example"},
    )
    assert redirect(foreign)[1]["error"] == ["origin"]
    assert set_cookie(foreign, sessions.COOKIE_NAME) is None
    assert redirect(post_code(client, code_at(secret, 1)))[0] == "/"  # the code was not used


def require_for_staff(api, admin) -> None:
    enrol(admin.actor)
    answer = api(admin).put("/api/sign-in-rules/", json={"staff_two_factor_required": True})
    assert answer.status_code == 200, answer.text


def test_staff_without_two_factor_get_an_enrolment_only_session(browser, api, admin, agent):
    require_for_staff(api, admin)
    response = sign_in(browser(), agent.actor.email, next_="/tickets")
    assert redirect(response) == (ENROL_PAGE, {})
    secret = session_of(response)
    assert sessions.resolve(secret) is None  # every page and handler: no session
    assert sessions.cached(secret) == (True, None)
    assert sessions.session_restricted(secret)
    enrolling = sessions.resolve_for_enrolment(secret)
    assert enrolling is not None
    assert enrolling.enrolment_only
    with pytest.raises(Forbidden, match="two-factor"):
        api_tokens.create(enrolling, data=api_tokens.validate_token_create({"name": "escape"}))
    enrolment = two_factor.begin_enrolment(enrolling)
    two_factor.confirm_enrolment(enrolling, code=code_at(enrolment.secret))
    assert sessions.resolve(secret).id == agent.id  # enrolled: the session does everything
    assert not sessions.session_restricted(secret)


def test_requiring_two_factor_restricts_open_staff_sessions_at_once(browser, api, admin, agent):
    open_session = session_of(sign_in(browser(), agent.actor.email))
    assert sessions.resolve(open_session).id == agent.id
    require_for_staff(api, admin)
    assert sessions.resolve(open_session) is None
    assert sessions.session_restricted(open_session)


def test_requesters_are_not_held_to_the_staff_rule(browser, api, admin, requester):
    require_for_staff(api, admin)
    response = sign_in(browser(), requester.actor.email, next_="/tickets")
    assert redirect(response) == ("/tickets", {})
    assert sessions.resolve(session_of(response)).id == requester.id


def test_only_an_admin_with_two_factor_may_require_it(api, admin, agent):
    body = {"staff_two_factor_required": True}
    refused = api(admin).put("/api/sign-in-rules/", json=body)
    assert refused.status_code == 403
    assert "yourself" in refused.json()["detail"]
    assert api(agent).put("/api/sign-in-rules/", json=body).status_code == 403
    assert api(admin).get("/api/sign-in-rules/").json() == {"staff_two_factor_required": False}


def test_turning_two_factor_off_needs_a_code_or_the_password(agent, api, admin):
    secret, _ = enrol(agent.actor)
    with pytest.raises(InvalidInput, match="code"):
        two_factor.disable(agent.actor)
    with pytest.raises(InvalidInput, match="password"):
        two_factor.disable(agent.actor, password="not the password at all")
    with pytest.raises(InvalidInput, match="code"):
        two_factor.disable(agent.actor, code="123456")
    assert two_factor.status(agent.actor).enabled
    require_for_staff(api, admin)
    with pytest.raises(Forbidden, match="required"):
        two_factor.disable(agent.actor, password=PASSWORD)
    api(admin).put("/api/sign-in-rules/", json={"staff_two_factor_required": False})
    two_factor.disable(agent.actor, code=code_at(secret, 1))
    assert not two_factor.status(agent.actor).enabled


def test_an_admin_resets_two_factor_and_it_is_recorded(browser, api, admin, agent, engine):
    enrol(agent.actor)
    session = sessions.start(agent.actor)
    assert api(agent).delete(f"/api/users/{agent.id}/two-factor/").status_code == 403
    assert two_factor.status(agent.actor).enabled
    assert api(admin).delete(f"/api/users/{agent.id}/two-factor/").status_code == 204
    assert not two_factor.status(agent.actor).enabled
    assert sessions.resolve(session) is None
    assert count_rows(engine, "recovery_codes", "user_id = :u", u=agent.id) == 0
    events = api(admin).get(f"/api/users/{agent.id}/security-events/").json()
    assert (events[0]["kind"], events[0]["actor_id"]) == ("two_factor_reset", admin.id)
    response = sign_in(browser(), agent.actor.email)  # the password alone, again
    assert redirect(response)[0] == "/"
    assert sessions.resolve(session_of(response))
    assert api(admin).delete("/api/users/999999/two-factor/").status_code == 404
