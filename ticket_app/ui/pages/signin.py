"""`/login` and `/setup`: plain HTML forms that post to `/auth/...` (no websocket needed)."""

import reflex as rx

from ticket_app.services.passwords import MIN_LENGTH
from ticket_app.ui.components.fields import post_form
from ticket_app.ui.components.layout import bare_page
from ticket_app.ui.components.security import single_sign_on
from ticket_app.ui.state.signin import SetupState, SignInState


def _field(label: str, name: str, kind: str, autocomplete: str, **props: object) -> rx.Component:
    return rx.flex(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            id=name,
            name=name,
            type=kind,
            auto_complete=autocomplete,
            required=True,
            size="3",
            **props,
        ),
        direction="column",
        spacing="1",
    )


def _message(text: rx.Var[str], color: str, role: str) -> rx.Component:
    return rx.cond(
        text,
        rx.callout(
            text,
            icon="info" if color != "red" else "triangle-alert",
            color_scheme=color,
            role=role,
            size="1",
        ),
    )


def _link_form() -> rx.Component:
    """Requesters sign in without a password: a one-use link by mail (staff never do). Its
    labels name neither "email" nor "password", which the sign-in form's own fields are."""
    return post_form(
        rx.flex(
            rx.text("Requesters need no password:", size="2", color_scheme="gray"),
            rx.el.label(
                rx.text("Your address, for a one-use sign-in link", size="2", weight="medium"),
                html_for="link-email",
            ),
            rx.flex(
                rx.input(
                    id="link-email",
                    name="email",
                    type="email",
                    auto_complete="email",
                    required=True,
                    placeholder="you@example.com",
                    flex="1",
                ),
                rx.button("Email me a sign-in link", type="submit", variant="soft"),
                spacing="2",
            ),
            direction="column",
            spacing="1",
        ),
        action="/auth/link/request",
        method="post",
        aria_label="Sign-in link by mail",
    )


def login_page() -> rx.Component:
    return bare_page(
        _message(SignInState.notice, "grass", "status"),
        _message(SignInState.message, "red", "alert"),
        post_form(
            rx.flex(
                _field("Email", "email", "email", "username", autofocus=True),
                _field("Password", "password", "password", "current-password"),
                rx.el.input(type="hidden", name="next", value=SignInState.next_path),
                rx.button("Sign in", type="submit", size="3", width="100%"),
                direction="column",
                spacing="4",
            ),
            action="/auth/sign-in",
            method="post",
            aria_label="Sign in",
        ),
        rx.separator(size="4"),
        _link_form(),
        single_sign_on(),
        rx.text(
            "No account yet? Ask an admin of your desk to add you.",
            size="1",
            color_scheme="gray",
        ),
        heading="Sign in",
    )


def setup_page() -> rx.Component:
    form = post_form(
        rx.flex(
            _message(SetupState.message, "red", "alert"),
            _field("Your name", "name", "text", "name", autofocus=True),
            _field("Email", "email", "email", "username"),
            _field("Password", "password", "password", "new-password", min_length=MIN_LENGTH),
            rx.text(
                f"At least {MIN_LENGTH} characters; not a common password.",
                size="1",
                color_scheme="gray",
            ),
            rx.el.input(type="hidden", name="token", value=SetupState.token),
            rx.button("Create the admin account", type="submit", size="3", width="100%"),
            direction="column",
            spacing="4",
        ),
        action="/auth/setup",
        method="post",
        aria_label="Create the first admin",
    )
    return bare_page(
        rx.cond(
            SetupState.valid,
            rx.flex(
                rx.text(
                    "This desk has no admin yet. This one-time address creates the first: "
                    "you, signed in once it is done.",
                    size="2",
                    color_scheme="gray",
                ),
                form,
                direction="column",
                spacing="4",
            ),
            rx.cond(
                SetupState.checked,
                rx.text(
                    "There is no setup to do here: the desk already has an admin, or this "
                    "address expired (restart the server for a new one).",
                    size="2",
                ),
                rx.spinner(),
            ),
        ),
        heading="Set up the desk",
    )
