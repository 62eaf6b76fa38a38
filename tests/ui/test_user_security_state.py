"""The users page's sign-in security: an admin sees a person's sessions, tokens, two-factor
and log and ends or resets them (a reset only after its confirmation); the desk's two-factor
rule is refused to an admin without two-factor, with the reason shown; non-admins get none of
it, whatever they send."""

from datetime import timedelta

import pyotp

from ticket_app.models import utc_now
from ticket_app.services import api_tokens, sessions, two_factor
from ticket_app.ui.state.user_security import UserSecurityState

from .conftest import at_url, new, run, toast_text


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(utc_now() + timedelta(seconds=30 * steps))


def enrol(actor) -> None:
    enrolment = two_factor.begin_enrolment(actor)
    two_factor.confirm_enrolment(actor, code=code(enrolment.secret))


def page() -> UserSecurityState:
    state = at_url(new(UserSecurityState), "/admin/users")
    assert run(UserSecurityState.load, state) is None
    return state


def test_an_admin_sees_a_persons_sessions_tokens_and_two_factor(agent):
    sessions.start(agent.actor, agent="curl/8.5.0")
    enrol(agent.actor)
    state = page()
    run(UserSecurityState.show, state, str(agent.id))
    assert state.user_id == str(agent.id)
    assert state.two_factor_on
    assert [row["browser"] for row in state.session_rows] == ["curl"]
    assert [row["name"] for row in state.token_rows] == ["tests"]
    assert [row["what"] for row in state.event_rows] == ["Two-factor turned on"]


def test_an_admin_ends_a_session_all_sessions_and_revokes_a_token(agent):
    first, second = sessions.start(agent.actor), sessions.start(agent.actor)
    state = page()
    run(UserSecurityState.show, state, str(agent.id))
    answer = run(UserSecurityState.end_session, state, state.session_rows[0]["id"])
    assert "signed out" in toast_text(answer)
    assert len(state.session_rows) == 1
    run(UserSecurityState.end_all_sessions, state)
    assert state.session_rows == []
    assert sessions.resolve(first) is None
    assert sessions.resolve(second) is None
    run(UserSecurityState.revoke_token, state, state.token_rows[0]["id"])
    assert state.token_rows[0]["revoked"] == "yes"
    assert api_tokens.list_own(agent.actor)[0].revoked_at is not None
    assert {row["by"] for row in state.event_rows} == {"Ada Admin"}


def test_a_reset_of_two_factor_waits_for_its_confirmation_and_is_logged(agent):
    enrol(agent.actor)
    theirs = sessions.start(agent.actor)
    state = page()
    run(UserSecurityState.show, state, str(agent.id))
    assert run(UserSecurityState.reset_two_factor, state) is None  # no confirmation asked
    assert two_factor.status(agent.actor).enabled
    run(UserSecurityState.ask_reset, state)
    assert state.confirming_reset
    run(UserSecurityState.cancel_reset, state)
    run(UserSecurityState.reset_two_factor, state)
    assert two_factor.status(agent.actor).enabled  # cancelled
    run(UserSecurityState.ask_reset, state)
    answer = run(UserSecurityState.reset_two_factor, state)
    assert "reset" in toast_text(answer)
    assert not two_factor.status(agent.actor).enabled
    assert sessions.resolve(theirs) is None
    assert not state.two_factor_on
    assert not state.confirming_reset
    assert state.event_rows[0]["what"] == "Two-factor reset by an admin"
    assert state.event_rows[0]["by"] == "Ada Admin"


def test_requiring_two_factor_is_refused_until_the_admin_has_it(viewer):
    state = page()
    assert not state.staff_two_factor_required
    run(UserSecurityState.set_rule, state, True)
    assert state.rule_error == "Set up two-factor for yourself before requiring it of staff."
    assert not two_factor.sign_in_rules(viewer.actor).staff_two_factor_required
    enrol(viewer.actor)
    answer = run(UserSecurityState.set_rule, state, True)
    assert "Staff now need two-factor" in toast_text(answer)
    assert state.rule_error == ""
    assert state.staff_two_factor_required
    assert two_factor.sign_in_rules(viewer.actor).staff_two_factor_required
    assert run(UserSecurityState.set_rule, state, "yes") is None  # not a switch's value


def test_an_agent_gets_nothing_of_anyone_and_changes_nothing(admin, agent, sign_in):
    enrol(admin.actor)
    admins = sessions.start(admin.actor)
    sign_in(agent)
    state = page()
    assert not state.staff_two_factor_required
    answer = run(UserSecurityState.show, state, str(admin.id))
    assert "may not manage users" in toast_text(answer)
    assert state.user_id == ""
    assert state.session_rows == []
    assert state.token_rows == []
    state.user_id = str(admin.id)  # as if the tab had sent it
    for handler, arguments in (
        (UserSecurityState.end_session, ("1",)),
        (UserSecurityState.end_all_sessions, ()),
        (UserSecurityState.revoke_token, ("1",)),
    ):
        run(handler, state, *arguments)
    state.confirming_reset = True
    run(UserSecurityState.reset_two_factor, state)
    run(UserSecurityState.set_rule, state, False)
    assert sessions.resolve(admins) is not None
    assert two_factor.status(admin.actor).enabled
    assert api_tokens.list_own(admin.actor)[0].revoked_at is None


def test_unknown_people_and_nonsense_ids_show_nothing():
    state = page()
    for value in ("999999", "x", None, 3, "9" * 40):
        run(UserSecurityState.show, state, value)
        assert state.user_id == ""
