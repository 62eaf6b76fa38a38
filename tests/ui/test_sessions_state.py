"""The account page's sessions: listed with their browser and how they signed in, this tab's
marked; one or all others signed out; someone else's session cannot be ended from here."""

from ticket_app.domain import SignInMethod
from ticket_app.services import sessions
from ticket_app.ui.state.sessions import OwnSessionsState

from .conftest import at_url, new, run, spec_args, toast_text

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def page() -> OwnSessionsState:
    state = at_url(new(OwnSessionsState), "/account")
    assert run(OwnSessionsState.load, state) is None
    return state


def test_sessions_are_listed_with_browser_method_and_this_one_marked(viewer):
    other = sessions.start(viewer.actor, method=SignInMethod.TWO_FACTOR, agent=FIREFOX)
    state = page()
    assert len(state.rows) == 2
    current = [row for row in state.rows if row["current"]]
    assert len(current) == 1
    listed = next(row for row in state.rows if not row["current"])
    assert listed["browser"] == "Firefox on Linux"
    assert listed["method"] == "Password and two-factor code"
    assert not state.two_factor_on
    assert sessions.resolve(other) is not None


def test_one_other_session_is_signed_out(viewer):
    other = sessions.start(viewer.actor, agent=FIREFOX)
    state = page()
    listed = next(row for row in state.rows if not row["current"])
    answer = run(OwnSessionsState.end, state, listed["id"])
    assert "signed out" in toast_text(answer)
    assert sessions.resolve(other) is None
    assert len(state.rows) == 1
    assert state.rows[0]["current"]


def test_all_others_are_signed_out_but_this_one_stays(viewer):
    others = [sessions.start(viewer.actor) for _ in range(3)]
    state = page()
    answer = run(OwnSessionsState.end_others, state)
    assert "3 other sessions signed out" in toast_text(answer)
    assert all(sessions.resolve(secret) is None for secret in others)
    assert len(state.rows) == 1
    assert state.rows[0]["current"]


def test_ending_this_session_goes_to_the_login_page(viewer):
    state = page()
    answer = run(OwnSessionsState.end, state, state.rows[0]["id"])
    assert spec_args(answer)["path"] == "/login?notice=signed-out"


def test_someone_elses_session_is_not_found_and_keeps_working(viewer, agent):
    theirs = sessions.start(agent.actor)
    their_id = sessions.list_own(sessions.resolve(theirs))[0].id
    state = page()
    answer = run(OwnSessionsState.end, state, str(their_id))
    assert "No session of yours has id" in toast_text(answer)
    assert sessions.resolve(theirs) is not None


def test_nonsense_ids_do_nothing(viewer):
    state = page()
    for value in ("x", "-1", None, 5, "1e3"):
        assert run(OwnSessionsState.end, state, value) is None
    assert len(state.rows) == 1


def test_a_signed_out_tab_gets_the_login_page():
    state = at_url(new(OwnSessionsState), "/account", "")
    answer = run(OwnSessionsState.end_others, state)
    assert spec_args(answer)["path"].startswith("/login")
