"""The account page's password change: wrong current passwords are throttled (issue 21), and
the refusal is said beside the current-password field, not as a toast."""

from ticket_app.config import get_settings
from ticket_app.ui.state.account import AccountState

from .conftest import at_url, new, run


def change(state: AccountState, current: str) -> object:
    new_password = "a brand new pass"
    form = {"current_password": current, "password": new_password, "repeat": new_password}
    return run(AccountState.change_password, state, form)


def test_a_loop_of_wrong_current_passwords_is_stopped():
    state = at_url(new(AccountState), "/account")
    for n in range(get_settings().sign_in_max_failures):
        assert change(state, f"guess {n}") is None
        assert state.password_errors["current_password"].endswith("not your current password.")
    assert change(state, "one more guess") is None
    assert state.password_errors["current_password"].startswith("Too many wrong passwords.")
