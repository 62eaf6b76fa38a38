"""The code step's page and the login page's single sign-on: fixed sentences for the codes in
the address (never its text), a safe `next`, and the provider's button only when configured."""

import pytest

from tests.conftest import reset_caches
from ticket_app.ui.state.login_code import LoginCodeState, SingleSignOnState

from .conftest import at_url, new, run


def code_page(path: str) -> LoginCodeState:
    state = at_url(new(LoginCodeState), path)
    run(LoginCodeState.load, state)
    return state


def login_page(path: str) -> SingleSignOnState:
    state = at_url(new(SingleSignOnState), path)
    run(SingleSignOnState.load, state)
    return state


def test_the_code_page_says_what_went_wrong_in_its_own_words():
    assert code_page("/login/code").message == ""
    assert code_page("/login/code?error=code").message.startswith("That code is not right.")
    assert code_page("/login/code?error=throttled&retry=61").message == (
        "Too many wrong codes. Try again in 2 minutes."
    )
    assert code_page("/login/code?error=throttled&retry=" + "9" * 5000).message.endswith(
        "15 minutes."
    )
    assert code_page("/login/code?error=<b>you+are+hacked</b>").message == ""


@pytest.mark.parametrize(
    ("target", "kept"),
    [("/tickets/3", "/tickets/3"), ("//evil.example", "/"), ("https://evil.example", "/")],
)
def test_the_code_page_comes_back_only_to_this_desk(target, kept):
    assert code_page(f"/login/code?next={target}").next_path == kept


def test_without_settings_the_login_page_has_no_provider_button():
    state = login_page("/login?error=sso-off")
    assert state.provider == ""
    assert state.message.startswith("Single sign-on is not set up")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OIDC_ISSUER", "https://id.example.com")
    monkeypatch.setenv("OIDC_CLIENT_ID", "desk")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("OIDC_NAME", "Example ID")
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("state", "did not start here"),
        ("nonce", "belonged to another sign-in"),
        ("token", "could not be verified"),
        ("unverified", "not verified your email"),
        ("domain", "may not sign up"),
        ("inactive", "deactivated"),
        ("provider", "could not be reached"),
        ("<script>", "could not be reached"),
    ],
)
def test_each_failed_single_sign_on_has_its_sentence(configured, reason, says):
    state = login_page(f"/login?error=sso&reason={reason}")
    assert says in state.message
    assert state.provider == "Example ID"


def test_the_provider_button_keeps_where_to_go_afterwards(configured):
    assert login_page("/login").start_url == "/auth/oidc/start?next=%2F"
    assert login_page("/login?next=/board").start_url == "/auth/oidc/start?next=%2Fboard"
    assert login_page("/login?next=//evil.example").start_url == "/auth/oidc/start?next=%2F"


def test_an_expired_code_step_is_said_on_the_login_page():
    assert login_page("/login?error=expired").message.startswith("The sign-in took too long")
