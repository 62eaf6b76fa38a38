"""The sign-in sections other pages show: single sign-on on the login page, two-factor and
sessions on the account page, and the admins' sign-in security on the users page. Each page
adds one call; the states are `state/login_code.py`, `state/sessions.py` and
`state/user_security.py`."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.feedback import error_callout
from ticket_app.ui.components.layout import section_card
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.state.login_code import SingleSignOnState
from ticket_app.ui.state.sessions import OwnSessionsState
from ticket_app.ui.state.user_security import UserSecurityState
from ticket_app.ui.state.users_admin import UsersState


def single_sign_on() -> rx.Component:
    """The login page's "Sign in with <provider>" (when configured) and why one failed."""
    return rx.fragment(
        rx.cond(
            SingleSignOnState.message,
            rx.callout(
                SingleSignOnState.message,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
                size="1",
            ),
        ),
        rx.cond(
            SingleSignOnState.provider,
            rx.flex(
                rx.separator(size="4"),
                rx.button(
                    rx.link(
                        rx.icon("building-2", size=16),
                        "Sign in with " + SingleSignOnState.provider,
                        href=SingleSignOnState.start_url,
                        # The browser itself loads it (not the app's router): it leaves for
                        # the provider. A form would not do: the pages' CSP allows forms to
                        # post to this site only, redirects included.
                        reload_document=True,
                        underline="none",
                    ),
                    as_child=True,
                    variant="outline",
                    size="3",
                    width="100%",
                ),
                direction="column",
                spacing="4",
            ),
        ),
    )


def _session_row(row: rx.Var[dict[str, str]], on_end: object, who: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.flex(
                rx.text(row["browser"], weight="medium", title=row["agent"]),
                rx.cond(row["current"], rx.badge("This browser", color_scheme="grass")),
                rx.cond(row["enrolment_only"], rx.badge("Setting up two-factor")),
                spacing="2",
                align="center",
                wrap="wrap",
            )
        ),
        rx.table.cell(row["method"]),
        rx.table.cell(relative_time(row["created_at"])),
        rx.table.cell(relative_time(row["last_used_at"])),
        rx.table.cell(
            rx.button(
                "Sign out",
                on_click=on_end,
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Sign out " + who + " session in " + row["browser"],
            )
        ),
    )


def _named(label: str, table: rx.Component) -> rx.Component:
    """A table in a region of that name (Radix puts a table's own props on its wrapper)."""
    return rx.box(table, role="region", aria_label=label)


def _sessions_table(label: str, rows: rx.Var[list[dict[str, str]]], row: object) -> rx.Component:
    headers = ("Browser", "Signed in with", "Started", "Last used", "")
    return rx.cond(
        rows,
        _named(
            label,
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(title) for title in headers])
                ),
                rx.table.body(rx.foreach(rows, row)),
                variant="surface",
            ),
        ),
        rx.text("No session.", size="2", color_scheme="gray"),
    )


def account_security() -> rx.Component:
    """Two-factor (its own page) and the viewer's sessions."""
    return rx.flex(
        error_callout(OwnSessionsState.error, OwnSessionsState.load),
        section_card(
            "Two-factor sign-in",
            rx.text(
                rx.cond(
                    OwnSessionsState.two_factor_on,
                    "On: sign-in asks for a code of your authenticator app after the password.",
                    rx.cond(
                        OwnSessionsState.two_factor_required,
                        "Off, but your desk requires it: set it up now.",
                        "Off: your password alone signs you in.",
                    ),
                ),
                size="2",
            ),
            rx.link(
                rx.cond(OwnSessionsState.two_factor_on, "Manage two-factor", "Set up two-factor"),
                href=routes.TWO_FACTOR,
                size="2",
            ),
        ),
        section_card(
            "Where you are signed in",
            rx.flex(
                rx.text(
                    "Sign out any session you do not recognise.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.button(
                    "Sign out all other sessions",
                    on_click=OwnSessionsState.end_others,
                    size="1",
                    variant="soft",
                    color_scheme="red",
                ),
                justify="between",
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            _sessions_table(
                "Your sessions",
                OwnSessionsState.rows,
                lambda row: _session_row(row, OwnSessionsState.end(row["id"]), "your"),
            ),
        ),
        direction="column",
        spacing="5",
    )


def _rule() -> rx.Component:
    return section_card(
        "Sign-in rules",
        rx.el.label(
            rx.flex(
                rx.switch(
                    checked=UserSecurityState.staff_two_factor_required,
                    on_change=UserSecurityState.set_rule,
                    id="staff-two-factor",
                ),
                rx.text("Require two-factor for staff", size="2", weight="medium"),
                spacing="2",
                align="center",
            ),
        ),
        rx.text(
            "Agents and admins without it are taken to set it up after their password, and "
            "can do nothing else until they have.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            UserSecurityState.rule_error,
            rx.text(UserSecurityState.rule_error, size="2", color_scheme="red", role="alert"),
        ),
    )


def _token_row(token: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(token["name"]),
        rx.table.cell(rx.code(token["prefix"])),
        rx.table.cell(
            rx.cond(token["last_used_at"], relative_time(token["last_used_at"]), "never")
        ),
        rx.table.cell(
            rx.cond(
                token["revoked"],
                rx.badge("Revoked", color_scheme="gray"),
                rx.button(
                    "Revoke",
                    on_click=UserSecurityState.revoke_token(token["id"]),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Revoke their token " + token["name"],
                ),
            )
        ),
    )


def _event_row(event: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["what"]),
        rx.table.cell(rx.cond(event["by"], event["by"], "")),
        rx.table.cell(relative_time(event["at"])),
    )


def _reset_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Reset their two-factor?"),
            rx.alert_dialog.description(
                "Their authenticator and recovery codes stop working and their sessions end. "
                "They sign in with the password alone, and set it up again if the desk "
                "requires it. The reset is recorded in their log.",
                size="2",
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=UserSecurityState.cancel_reset,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Reset two-factor",
                        color_scheme="red",
                        on_click=UserSecurityState.reset_two_factor,
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=UserSecurityState.confirming_reset,
    )


def _person_panel() -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.text("Two-factor: ", weight="medium", size="2"),
            rx.cond(
                UserSecurityState.two_factor_on,
                rx.badge("On", color_scheme="grass"),
                rx.badge("Off", color_scheme="gray"),
            ),
            rx.cond(
                UserSecurityState.two_factor_on,
                rx.button(
                    "Reset two-factor",
                    on_click=UserSecurityState.ask_reset,
                    size="1",
                    variant="soft",
                    color_scheme="red",
                ),
            ),
            spacing="2",
            align="center",
        ),
        rx.flex(
            rx.heading("Sessions", as_="h3", size="2"),
            rx.cond(
                UserSecurityState.session_rows,
                rx.button(
                    "Sign out everywhere",
                    on_click=UserSecurityState.end_all_sessions,
                    size="1",
                    variant="soft",
                    color_scheme="red",
                ),
            ),
            justify="between",
            align="center",
        ),
        _sessions_table(
            "Their sessions",
            UserSecurityState.session_rows,
            lambda row: _session_row(row, UserSecurityState.end_session(row["id"]), "their"),
        ),
        rx.heading("API tokens", as_="h3", size="2"),
        rx.cond(
            UserSecurityState.token_rows,
            _named(
                "Their API tokens",
                rx.table.root(
                    rx.table.body(rx.foreach(UserSecurityState.token_rows, _token_row)),
                    variant="surface",
                ),
            ),
            rx.text("No tokens.", size="2", color_scheme="gray"),
        ),
        rx.heading("Security log", as_="h3", size="2"),
        rx.cond(
            UserSecurityState.event_rows,
            _named(
                "Their security log",
                rx.table.root(
                    rx.table.body(rx.foreach(UserSecurityState.event_rows, _event_row)),
                    variant="surface",
                ),
            ),
            rx.text("Nothing recorded yet.", size="2", color_scheme="gray"),
        ),
        direction="column",
        spacing="3",
    )


def users_security() -> rx.Component:
    """The desk's two-factor rule, and one chosen person's sign-in security (admins)."""
    return rx.cond(
        UsersState.can_manage_users,
        rx.flex(
            _reset_dialog(),
            _rule(),
            section_card(
                "Sign-in of a person",
                rx.el.label(rx.text("Person", size="2", weight="medium"), html_for="security-of"),
                rx.el.select(
                    rx.el.option("Choose someone…", value=""),
                    rx.foreach(
                        UsersState.people,
                        lambda person: rx.el.option(
                            person["name"] + " · " + person["email"], value=person["id"]
                        ),
                    ),
                    id="security-of",
                    value=UserSecurityState.user_id,
                    on_change=UserSecurityState.show,
                    style={"height": "var(--space-6)", "padding": "0 var(--space-2)"},
                ),
                rx.cond(UserSecurityState.user_id, _person_panel()),
            ),
            direction="column",
            spacing="5",
        ),
    )
