"""`/admin/users`: the people of the desk, for admins."""

import reflex as rx

from ticket_app.services.passwords import MIN_LENGTH
from ticket_app.ui.components.feedback import error_callout, loading
from ticket_app.ui.components.fields import form_field
from ticket_app.ui.components.layout import page
from ticket_app.ui.components.security import users_security
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.state.users_admin import ROLE_CHOICES, UsersState


def _role_select(person: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Role of " + person["name"], variant="soft"),
        rx.select.content(
            *[rx.select.item(label, value=key) for key, label in ROLE_CHOICES.items()]
        ),
        value=person["role"],
        on_change=lambda role: UsersState.set_role(person["id"], role),
    )


def _person(person: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.flex(
                rx.text(person["name"], weight="medium"),
                rx.text(person["email"], size="1", color_scheme="gray"),
                direction="column",
            )
        ),
        rx.table.cell(_role_select(person)),
        rx.table.cell(
            rx.cond(
                person["active"],
                rx.badge("Active", color_scheme="grass"),
                rx.badge("Deactivated", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(person["last_seen_at"], relative_time(person["last_seen_at"]), "never")
        ),
        rx.table.cell(
            rx.flex(
                rx.button(
                    "Reset password",
                    on_click=UsersState.start_reset(person["id"]),
                    size="1",
                    variant="soft",
                ),
                rx.cond(
                    person["active"],
                    rx.button(
                        "Deactivate",
                        on_click=UsersState.deactivate(person["id"]),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                    ),
                    rx.button(
                        "Reactivate",
                        on_click=UsersState.reactivate(person["id"]),
                        size="1",
                        variant="soft",
                        color_scheme="grass",
                    ),
                ),
                spacing="2",
                wrap="wrap",
            )
        ),
    )


def _field(label: str, name: str, control: rx.Component) -> rx.Component:
    error = UsersState.form_errors.get(name, "")
    return form_field(label, "new-" + name, control, error, flex="1", min_width="11rem")


def _create() -> rx.Component:
    return rx.card(
        rx.form(
            rx.flex(
                rx.heading("Add a person", as_="h2", size="3"),
                rx.flex(
                    _field("Name", "name", rx.input(id="new-name", name="name", required=True)),
                    _field(
                        "Email",
                        "email",
                        rx.input(id="new-email", name="email", type="email", required=True),
                    ),
                    _field(
                        "Role",
                        "role",
                        rx.el.select(
                            *[
                                rx.el.option(label, value=key)
                                for key, label in ROLE_CHOICES.items()
                            ],
                            id="new-role",
                            name="role",
                            default_value="agent",
                            style={"height": "var(--space-6)", "padding": "0 var(--space-2)"},
                        ),
                    ),
                    _field(
                        "First password",
                        "password",
                        rx.input(
                            id="new-password",
                            name="password",
                            type="password",
                            required=True,
                            min_length=MIN_LENGTH,
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                    align="start",
                ),
                rx.button("Add", type="submit", width="fit-content"),
                direction="column",
                spacing="3",
            ),
            on_submit=UsersState.create,
            reset_on_submit=True,
            aria_label="Add a person",
        ),
        size="2",
    )


def _reset_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reset the password"),
            rx.form(
                rx.flex(
                    rx.el.label(rx.text("New password", size="2"), html_for="reset-password"),
                    rx.input(
                        id="reset-password",
                        name="password",
                        type="password",
                        required=True,
                        min_length=MIN_LENGTH,
                    ),
                    rx.cond(
                        UsersState.reset_error,
                        rx.text(UsersState.reset_error, size="1", color_scheme="red"),
                    ),
                    rx.text(
                        "Their sessions end; tell them the new password.",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.flex(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=UsersState.cancel_reset,
                        ),
                        rx.button("Reset", type="submit"),
                        spacing="3",
                        justify="end",
                    ),
                    direction="column",
                    spacing="3",
                ),
                on_submit=UsersState.reset_password,
                reset_on_submit=True,
            ),
        ),
        open=UsersState.reset_for != "",
    )


def users_page() -> rx.Component:
    return page(
        _reset_dialog(),
        error_callout(UsersState.error, UsersState.load),
        rx.cond(UsersState.can_manage_users, _create()),
        rx.cond(
            UsersState.loaded,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(t)
                            for t in ("Person", "Role", "", "Last seen", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(UsersState.people, _person)),
                variant="surface",
            ),
            rx.cond(UsersState.error, rx.fragment(), loading("Loading people…")),
        ),
        users_security(),
        heading="Users",
        description="Agents and admins work tickets; requesters see only their own.",
    )
