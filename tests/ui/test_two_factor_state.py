"""The two-factor page's state: enrolment with a QR code and the secret, confirmed by a current
code, recovery codes shown once; renewing and turning off; and the enrolment-only session of
staff whose desk requires two-factor, which reaches this state and nothing more."""

from datetime import timedelta

import pyotp
import pytest

from tests.support.passwords import PASSWORD
from ticket_app.models import utc_now
from ticket_app.services import sessions, two_factor
from ticket_app.ui.state.two_factor import TwoFactorState

from .conftest import at_url, new, run, spec_args, toast_text


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(utc_now() + timedelta(seconds=30 * steps))


def page(secret: str | None = None) -> TwoFactorState:
    state = at_url(new(TwoFactorState), "/account/two-factor", secret)
    assert run(TwoFactorState.load, state) is None
    return state


def enrolled(state: TwoFactorState) -> str:
    """Two-factor turned on through the page; the secret it showed."""
    run(TwoFactorState.begin, state)
    secret = state.secret
    run(TwoFactorState.confirm, state, {"code": code(secret)})
    return secret


def test_enrolment_shows_the_secret_and_a_qr_code_and_the_codes_once(agent, sign_in):
    sign_in(agent)
    state = page()
    assert not state.enabled
    assert not state.restricted
    run(TwoFactorState.begin, state)
    assert len(state.secret) >= 16
    assert state.qr_code.startswith("data:image/svg+xml")
    assert run(TwoFactorState.confirm, state, {"code": "000000"}) is None
    assert "not the code your authenticator app shows now" in state.confirm_error
    assert not two_factor.status(agent.actor).enabled
    done = run(TwoFactorState.confirm, state, {"code": code(state.secret)})
    assert "Two-factor sign-in is on" in toast_text(done)
    assert len(state.recovery_codes) == 10
    assert state.enabled
    assert state.codes_left == 10
    assert state.secret == ""
    assert two_factor.status(agent.actor).enabled
    assert run(TwoFactorState.load, state) is None  # a reload: the codes are gone for good
    assert state.recovery_codes == []


def test_confirming_without_a_set_up_does_nothing(agent, sign_in):
    sign_in(agent)
    state = page()
    assert run(TwoFactorState.confirm, state, {"code": "123456"}) is None
    assert not two_factor.status(agent.actor).enabled


def test_renewing_needs_a_code_of_the_app_not_a_recovery_code(agent, sign_in):
    sign_in(agent)
    state = page()
    secret = enrolled(state)
    old = list(state.recovery_codes)
    run(TwoFactorState.renew, state, {"code": old[0]})
    assert "not a current code of your authenticator app" in state.renew_error
    done = run(TwoFactorState.renew, state, {"code": code(secret, 1)})
    assert "New recovery codes" in toast_text(done)
    assert len(state.recovery_codes) == 10
    assert set(state.recovery_codes).isdisjoint(old)


def test_turning_off_needs_a_code_or_the_password(agent, sign_in):
    sign_in(agent)
    state = page()
    enrolled(state)
    run(TwoFactorState.disable, state, {"code": "", "password": "not it"})
    assert "is not your current password" in state.disable_error
    assert two_factor.status(agent.actor).enabled
    done = run(TwoFactorState.disable, state, {"code": "", "password": PASSWORD})
    assert "off" in toast_text(done)
    assert not state.enabled
    assert not two_factor.status(agent.actor).enabled


@pytest.fixture
def required(admin) -> None:
    """The desk requires two-factor of staff (its admin has it, as the rule needs)."""
    enrolment = two_factor.begin_enrolment(admin.actor)
    two_factor.confirm_enrolment(admin.actor, code=code(enrolment.secret))
    two_factor.set_sign_in_rules(admin.actor, staff_two_factor_required=True)


def test_while_the_desk_requires_it_staff_cannot_turn_it_off(agent, sign_in, required):
    sign_in(agent)
    enrolment = two_factor.begin_enrolment(agent.actor)
    two_factor.confirm_enrolment(agent.actor, code=code(enrolment.secret))
    state = page()
    assert state.required
    assert state.enabled
    run(TwoFactorState.disable, state, {"code": "", "password": PASSWORD})
    assert state.disable_error == two_factor.REQUIRED
    assert two_factor.status(agent.actor).enabled


def test_an_enrolment_only_session_enrols_here_and_is_then_a_whole_session(agent, required):
    secret = sessions.start(agent.actor, enrolment_only=True)
    assert sessions.resolve(secret) is None
    state = page(secret)
    assert state.restricted
    assert state.required
    assert not state.enabled
    enrolled(state)
    assert len(state.recovery_codes) == 10
    assert not state.restricted
    whole = sessions.resolve(secret)
    assert whole is not None
    assert whole.id == agent.id


def test_an_enrolment_only_session_cannot_turn_off_or_renew_anything(agent, required):
    secret = sessions.start(agent.actor, enrolment_only=True)
    state = page(secret)
    run(TwoFactorState.renew, state, {"code": "123456"})
    assert state.renew_error
    run(TwoFactorState.disable, state, {"code": "", "password": PASSWORD})
    assert state.disable_error == two_factor.REQUIRED


@pytest.mark.parametrize("secret", ["", "sds_" + "A" * 43])
def test_without_a_session_the_page_goes_to_sign_in(secret):
    state = at_url(new(TwoFactorState), "/account/two-factor", secret)
    answer = run(TwoFactorState.load, state)
    assert spec_args(answer)["path"].startswith("/login?next=/account/two-factor")
    assert run(TwoFactorState.begin, state) is not None
    assert state.secret == ""
