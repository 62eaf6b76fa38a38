"""`/account`: change your password; create, list and revoke your API tokens; choose how each
kind of notification reaches you; two-factor and your sessions (`components/security.py`)."""

import reflex as rx

from ticket_app.services.passwords import MIN_LENGTH
from ticket_app.ui.components.feedback import error_callout
from ticket_app.ui.components.fields import form_field
from ticket_app.ui.components.layout import page, section_card
from ticket_app.ui.components.security import account_security
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import CHANNEL_LABELS
from ticket_app.ui.state.account import AccountState


def _labelled(label: str, name: str, kind: str = "text", **props: object) -> rx.Component:
    control = rx.input(id=name, name=name, type=kind, **props)
    return form_field(label, name, control, AccountState.password_errors.get(name, ""))


def _password() -> rx.Component:
    return rx.card(
        rx.form(
            rx.flex(
                rx.heading("Password", as_="h2", size="3"),
                _labelled(
                    "Current password",
                    "current_password",
                    "password",
                    auto_complete="current-password",
                    required=True,
                ),
                _labelled(
                    "New password",
                    "password",
                    "password",
                    auto_complete="new-password",
                    required=True,
                    min_length=MIN_LENGTH,
                ),
                _labelled(
                    "New password again",
                    "repeat",
                    "password",
                    auto_complete="new-password",
                    required=True,
                ),
                rx.text(
                    "Changing it signs you out everywhere; sign in again with the new one.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button("Change password", type="submit", width="fit-content"),
                direction="column",
                spacing="3",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=False,
            aria_label="Change password",
        ),
        size="2",
    )


def _new_token() -> rx.Component:
    return rx.cond(
        AccountState.new_token,
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.flex(
                rx.callout.text("Your new token (shown once; copy it now):"),
                rx.code(AccountState.new_token, id="new-token", word_break="break-all"),
                rx.flex(
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=rx.set_clipboard(AccountState.new_token),
                        size="1",
                        variant="soft",
                    ),
                    rx.button(
                        "Done", on_click=AccountState.dismiss_new_token, size="1", variant="ghost"
                    ),
                    spacing="2",
                ),
                direction="column",
                spacing="2",
            ),
            color_scheme="green",
            role="status",
        ),
    )


def _token_row(token: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(token["name"], weight="medium")),
        rx.table.cell(rx.code(token["prefix"])),
        rx.table.cell(relative_time(token["created_at"])),
        rx.table.cell(
            rx.cond(token["last_used_at"], relative_time(token["last_used_at"]), "never")
        ),
        rx.table.cell(rx.cond(token["expires_at"], relative_time(token["expires_at"]), "never")),
        rx.table.cell(
            rx.cond(
                token["revoked"],
                rx.badge("Revoked", color_scheme="gray"),
                rx.button(
                    "Revoke",
                    on_click=AccountState.revoke_token(token["id"]),
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    aria_label="Revoke the token " + token["name"],
                ),
            )
        ),
    )


def _token_form() -> rx.Component:
    """A new token: its name and, if it should expire, in how many days."""
    return rx.form(
        rx.flex(
            rx.flex(
                rx.el.label(rx.text("Name", size="2", weight="medium"), html_for="token-name"),
                rx.input(
                    id="token-name",
                    name="name",
                    placeholder="e.g. nightly export",
                    required=True,
                ),
                direction="column",
                spacing="1",
                flex="2",
                min_width="12rem",
            ),
            rx.flex(
                rx.el.label(
                    rx.text("Expires in days", size="2", weight="medium"),
                    html_for="token-days",
                ),
                rx.input(
                    id="token-days",
                    name="expires_in_days",
                    type="number",
                    min="1",
                    placeholder="never",
                ),
                direction="column",
                spacing="1",
                flex="1",
                min_width="8rem",
            ),
            rx.button("Create token", type="submit"),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        rx.cond(
            AccountState.token_error,
            rx.text(AccountState.token_error, size="1", color_scheme="red", role="alert"),
        ),
        on_submit=AccountState.create_token,
        reset_on_submit=True,
        aria_label="Create an API token",
    )


def _token_table() -> rx.Component:
    return rx.cond(
        AccountState.tokens,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(title)
                        for title in (
                            "Name",
                            "Starts with",
                            "Created",
                            "Last used",
                            "Expires",
                            "",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(AccountState.tokens, _token_row)),
            variant="surface",
        ),
        rx.text("No tokens yet.", size="2", color_scheme="gray"),
    )


def _tokens() -> rx.Component:
    return section_card(
        "API tokens",
        rx.text(
            "For scripts and other systems: send it as Authorization: Bearer <token>. "
            "A token can do what you can do.",
            size="2",
            color_scheme="gray",
        ),
        _new_token(),
        _token_form(),
        _token_table(),
        spacing="3",
        size="2",
    )


def _preference(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row["label"], size="2")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(aria_label="How to tell me: " + row["label"], variant="soft"),
                rx.select.content(
                    *[rx.select.item(label, value=key) for key, label in CHANNEL_LABELS.items()]
                ),
                value=row["channel"],
                on_change=lambda channel: AccountState.set_channel(row["kind"], channel),
            )
        ),
    )


def _notifications() -> rx.Component:
    return section_card(
        "Notifications",
        rx.text(
            "How you hear of each of these: by mail, in the bell at the top of every page, "
            "both, or not at all. Every mail also has a link that stops its kind of mail.",
            size="2",
            color_scheme="gray",
        ),
        rx.table.root(
            rx.table.body(rx.foreach(AccountState.preferences, _preference)),
            variant="surface",
        ),
    )


def account_page() -> rx.Component:
    return page(
        error_callout(AccountState.error, AccountState.load),
        rx.grid(
            _password(),
            _tokens(),
            columns=rx.breakpoints(initial="1", md="1fr 2fr"),
            spacing="5",
            align_items="start",
        ),
        _notifications(),
        account_security(),
        heading="Your account",
        description=AccountState.viewer_name + " · " + AccountState.viewer_email,
    )
