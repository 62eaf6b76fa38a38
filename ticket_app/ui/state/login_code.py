"""The sign-in steps beside the password: `/login/code` (the code of an authenticator app, or
a recovery code) and the login page's single sign-on button and messages.

Like the login page, these read codes from the address (`error`, `reason`, `retry`) and show
fixed sentences for them, never text from the address; the provider's name comes from the
settings, and the button only shows when single sign-on is configured.
"""

import math
from urllib.parse import urlencode

import reflex as rx

from ticket_app.api.signin import safe_next
from ticket_app.config import get_settings
from ticket_app.services.sign_in import EXPIRED
from ticket_app.ui.routes import SSO_START, with_query

CODE_ERRORS = {
    "code": "That code is not right. Type the six digits your app shows now, or an unused "
    "recovery code.",
}
SSO_REASONS = {
    "state": "The single sign-on did not start here or took too long. Try again.",
    "nonce": "The provider's answer belonged to another sign-in. Try again.",
    "token": "The provider's answer could not be verified, so nobody was signed in.",
    "unverified": "Your provider has not verified your email address.",
    "domain": "Your email address's domain may not sign up at this desk.",
    "inactive": "Your account is deactivated. Ask an admin of your desk.",
    "provider": "The sign-in provider could not be reached or refused the sign-in. Try again "
    "later, or sign in with your password.",
}
LOGIN_ERRORS = {
    "expired": EXPIRED,
    "sso-off": "Single sign-on is not set up at this desk; sign in with your password.",
}


def _code_message(error: str, retry: str) -> str:
    if error == "throttled":
        minutes = max(1, math.ceil(int(retry) / 60)) if retry.isdigit() and len(retry) < 7 else 15
        return f"Too many wrong codes. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
    return CODE_ERRORS.get(error, "")


class LoginCodeState(rx.State):
    """The /login/code page: its form posts to /auth/sign-in/code."""

    message: str = ""
    next_path: str = "/"

    @rx.event
    def load(self) -> None:
        query = self.router.url.query_parameters
        self.message = _code_message(str(query.get("error", "")), str(query.get("retry", "")))
        self.next_path = safe_next(str(query.get("next", "/")))


class SingleSignOnState(rx.State):
    """The login page's "Sign in with <provider>" and the messages of failed sign-ons."""

    provider: str = ""  # empty when single sign-on is not configured
    start_url: str = SSO_START  # with where to go afterwards
    message: str = ""

    @rx.event
    def load(self) -> None:
        settings = get_settings()
        query = self.router.url.query_parameters
        error = str(query.get("error", ""))
        if error == "sso":
            self.message = SSO_REASONS.get(str(query.get("reason", "")), SSO_REASONS["provider"])
        else:
            self.message = LOGIN_ERRORS.get(error, "")
        self.provider = settings.oidc_name if settings.oidc_enabled else ""
        next_path = safe_next(str(query.get("next", "/")))
        self.start_url = with_query(SSO_START, urlencode({"next": next_path}))
