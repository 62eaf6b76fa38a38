"""`/login/code`: the second step of signing in, a plain form posting to `/auth/sign-in/code`
(the one-use cookie a right password left says who is signing in)."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.fields import post_form
from ticket_app.ui.components.layout import bare_page
from ticket_app.ui.state.login_code import LoginCodeState


def login_code_page() -> rx.Component:
    return bare_page(
        rx.cond(
            LoginCodeState.message,
            rx.callout(
                LoginCodeState.message,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
                size="1",
            ),
        ),
        rx.text(
            "Type the code your authenticator app shows now. Without your phone, use one of "
            "your recovery codes instead.",
            size="2",
            color_scheme="gray",
        ),
        post_form(
            rx.flex(
                rx.flex(
                    rx.el.label(rx.text("Code", size="2", weight="medium"), html_for="code"),
                    rx.input(
                        id="code",
                        name="code",
                        auto_complete="one-time-code",
                        autofocus=True,
                        required=True,
                        max_length=24,
                        size="3",
                        placeholder="123456 or a recovery code",
                    ),
                    direction="column",
                    spacing="1",
                ),
                rx.el.input(type="hidden", name="next", value=LoginCodeState.next_path),
                rx.button("Continue", type="submit", size="3", width="100%"),
                direction="column",
                spacing="4",
            ),
            action="/auth/sign-in/code",
            method="post",
            aria_label="Two-factor code",
        ),
        rx.link("Start again with your password", href=routes.LOGIN, size="2"),
        heading="Two-factor code",
    )
