"""The two pages for visitors who are not signed in: `/login` and the first-admin `/setup`.

Their forms post to `/auth/...` (see `api/signin.py`), which answer with a redirect; what went
wrong comes back as a code in the address, turned into a message here, so no text from the
address is ever shown as it is.
"""

import asyncio
import math

import reflex as rx

from ticket_app.api.mail_links import LINK_ANSWER
from ticket_app.api.signin import safe_next
from ticket_app.services import passwords, setup
from ticket_app.services.users import WRONG_CREDENTIALS

ERRORS = {
    "credentials": WRONG_CREDENTIALS,
    "origin": "Sign in from this site's own page.",
    "gone": setup.GONE,
    "email": "Email must be an email address like name@example.com, not yet in use.",
    "name": "Name must not be blank (at most 100 characters).",
    "link": "That sign-in link was used already or has expired. Ask for a new one below.",
}
NOTICES = {
    "signed-out": "You are signed out.",
    "password-changed": "Your password was changed. Sign in with the new one.",
    "link-sent": LINK_ANSWER,
}


def _retry_message(seconds: str) -> str:
    minutes = max(1, math.ceil(int(seconds) / 60)) if seconds.isdigit() else 15
    return (
        f"Too many failed sign-in attempts. Try again in {minutes} minute"
        f"{'' if minutes == 1 else 's'}."
    )


class SignInState(rx.State):
    """The /login page."""

    message: str = ""
    notice: str = ""
    next_path: str = "/"

    @rx.event
    def load(self) -> None:
        query = self.router.url.query_parameters
        error = str(query.get("error", ""))
        self.message = (
            _retry_message(str(query.get("retry", "")))
            if error == "throttled"
            else ERRORS.get(error, "")
        )
        self.notice = NOTICES.get(str(query.get("notice", "")), "")
        self.next_path = safe_next(str(query.get("next", "/")))


class SetupState(rx.State):
    """The /setup page: the first admin's account, through the one-time address."""

    token: str = ""
    valid: bool = False
    checked: bool = False
    message: str = ""

    @rx.event
    async def load(self) -> None:
        query = self.router.url.query_parameters
        token = str(query.get("token", ""))
        error = str(query.get("error", ""))
        reason = str(query.get("reason", ""))
        if error == "password":
            self.message = (
                "The password " + passwords.WEAKNESSES.get(reason, "is not accepted") + "."
            )
        else:
            self.message = ERRORS.get(error, "")
        self.valid = await asyncio.to_thread(setup.is_valid, token)
        self.token = token if self.valid else ""
        self.checked = True
