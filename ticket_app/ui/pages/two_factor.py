"""`/account/two-factor`: set up an authenticator app (a QR code and the secret as text, then
a code to confirm), the recovery codes shown once, new ones, and turning it off."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.feedback import error_callout, loading
from ticket_app.ui.components.fields import form_field
from ticket_app.ui.components.layout import page, section_card
from ticket_app.ui.state.two_factor import TwoFactorState

HELD = (
    "Your desk requires two-factor sign-in for staff. Set it up here to go on: until then "
    "this session can do nothing else."
)


def _code_form(
    label: str, button: str, form_id: str, error: rx.Var[str], on_submit: object, **extra: object
) -> rx.Component:
    control = rx.input(
        id=form_id + "-code",
        name="code",
        auto_complete="one-time-code",
        input_mode="numeric",
        max_length=24,
        **extra,
    )
    return rx.form(
        rx.flex(
            form_field(label, form_id + "-code", control, error, flex="1", min_width="10rem"),
            rx.button(button, type="submit"),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        aria_label=button,
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        TwoFactorState.recovery_codes,
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.flex(
                rx.callout.text(
                    "Your recovery codes, shown once: keep them somewhere safe. Each signs you "
                    "in once without your phone."
                ),
                rx.el.ul(
                    rx.foreach(TwoFactorState.recovery_codes, lambda code: rx.el.li(rx.code(code))),
                    aria_label="Recovery codes",
                    style={"columns": "2", "listStyle": "none", "padding": 0, "margin": 0},
                ),
                rx.flex(
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=rx.set_clipboard(TwoFactorState.recovery_codes.join("\n")),
                        size="1",
                        variant="soft",
                    ),
                    rx.button(
                        "I saved them",
                        on_click=TwoFactorState.hide_codes,
                        size="1",
                        variant="ghost",
                    ),
                    rx.cond(
                        ~TwoFactorState.restricted,
                        rx.link("Go to the desk", href=routes.HOME, size="2"),
                    ),
                    spacing="3",
                    align="center",
                ),
                direction="column",
                spacing="2",
            ),
            color_scheme="green",
            role="status",
        ),
    )


def _enrol() -> rx.Component:
    return section_card(
        "Set up an authenticator app",
        rx.text(
            "After your password, sign-in asks for the six-digit code of an authenticator app "
            "(such as Aegis, Google Authenticator or 1Password) on your phone.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            TwoFactorState.secret,
            rx.flex(
                rx.text("1. Scan this code with the app:", size="2"),
                rx.image(
                    src=TwoFactorState.qr_code,
                    alt="QR code of the authenticator set-up",
                    width="200px",
                    height="200px",
                    background_color="white",
                ),
                rx.text("or type in this key:", size="2"),
                rx.code(TwoFactorState.secret, id="two-factor-secret", word_break="break-all"),
                _code_form(
                    "2. The code the app shows now",
                    "Turn on",
                    "confirm",
                    TwoFactorState.confirm_error,
                    TwoFactorState.confirm,
                    auto_focus=True,
                ),
                direction="column",
                spacing="3",
            ),
            rx.button("Set up two-factor", on_click=TwoFactorState.begin, width="fit-content"),
        ),
    )


def _manage() -> rx.Component:
    return rx.grid(
        section_card(
            "Recovery codes",
            rx.text(
                TwoFactorState.codes_left.to_string() + " of 10 unused. New ones replace them.",
                size="2",
                color_scheme="gray",
            ),
            _code_form(
                "A code of your app",
                "Make new codes",
                "renew",
                TwoFactorState.renew_error,
                TwoFactorState.renew,
            ),
        ),
        section_card(
            "Turn off",
            rx.cond(
                TwoFactorState.required,
                rx.text(
                    "Your desk requires two-factor sign-in for staff; an admin can reset it "
                    "if you lost your phone.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.form(
                    rx.flex(
                        rx.text(
                            "A code of your app, a recovery code or your password:",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.flex(
                            rx.input(
                                name="code",
                                aria_label="Code",
                                placeholder="code",
                                auto_complete="one-time-code",
                                max_length=24,
                            ),
                            rx.input(
                                name="password",
                                type="password",
                                aria_label="Password",
                                placeholder="or password",
                                auto_complete="current-password",
                            ),
                            spacing="2",
                            wrap="wrap",
                        ),
                        rx.cond(
                            TwoFactorState.disable_error,
                            rx.text(
                                TwoFactorState.disable_error,
                                size="1",
                                color_scheme="red",
                                role="alert",
                            ),
                        ),
                        rx.button(
                            "Turn off two-factor",
                            type="submit",
                            color_scheme="red",
                            variant="soft",
                            width="fit-content",
                        ),
                        direction="column",
                        spacing="2",
                    ),
                    on_submit=TwoFactorState.disable,
                    reset_on_submit=True,
                    aria_label="Turn off two-factor",
                ),
            ),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="5",
        align_items="start",
    )


def two_factor_page() -> rx.Component:
    return page(
        error_callout(TwoFactorState.error, TwoFactorState.load),
        rx.cond(
            TwoFactorState.restricted,
            rx.callout(HELD, icon="shield-alert", color_scheme="amber", role="status"),
        ),
        _recovery_codes(),
        rx.cond(
            TwoFactorState.loaded,
            rx.cond(TwoFactorState.enabled, _manage(), _enrol()),
            rx.cond(TwoFactorState.error, rx.fragment(), loading("Loading…")),
        ),
        heading="Two-factor sign-in",
        description=rx.cond(
            TwoFactorState.enabled,
            "On: sign-in asks for a code of your app after the password.",
            "Off: your password alone signs you in.",
        ),
        above=rx.link("← Your account", href=routes.ACCOUNT, size="2"),
    )
