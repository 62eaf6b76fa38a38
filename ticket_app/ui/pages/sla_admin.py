"""`/admin/sla`: business-hours calendars and service-level policies, for admins."""

from collections.abc import Callable
from typing import Any

import reflex as rx

from ticket_app.ui.components.feedback import error_callout, loading
from ticket_app.ui.components.layout import page
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS
from ticket_app.ui.state.sla_admin import SlaAdminState

SELECT_STYLE = {"height": "var(--space-6)", "padding": "0 var(--space-2)"}


def _labelled(label: str, control_id: str, control: rx.Component) -> rx.Component:
    return rx.flex(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=control_id),
        control,
        direction="column",
        spacing="1",
        min_width="10rem",
        flex="1",
    )


def _form_errors() -> rx.Component:
    return rx.cond(
        SlaAdminState.form_errors,
        rx.callout(
            rx.foreach(SlaAdminState.form_errors.values(), lambda text: rx.text(text)),
            color_scheme="red",
            role="alert",
        ),
    )


def _calendar(calendar: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(calendar["name"], weight="medium"),
            rx.cond(calendar["default"], rx.badge("Default", size="1", margin_left="2")),
        ),
        rx.table.cell(calendar["time_zone"]),
        rx.table.cell(rx.text(calendar["hours"], white_space="pre-line", size="1")),
        rx.table.cell(calendar["holidays"]),
        rx.table.cell(
            rx.cond(
                calendar["default"],
                rx.fragment(),
                rx.button(
                    "Delete",
                    on_click=SlaAdminState.delete_calendar(calendar["id"]),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                ),
            )
        ),
    )


def _policy(policy: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(policy["scope"], weight="medium")),
        rx.table.cell(policy["calendar"]),
        rx.table.cell(policy["first_response_minutes"]),
        rx.table.cell(policy["next_response_minutes"]),
        rx.table.cell(policy["resolution_minutes"]),
        rx.table.cell(
            rx.button(
                "Delete",
                on_click=SlaAdminState.delete_policy(policy["id"]),
                size="1",
                variant="soft",
                color_scheme="red",
            )
        ),
    )


def _table(headers: list[str], rows: rx.Var, render: Callable[[Any], rx.Component]) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, render)),
        width="100%",
    )


def _new_calendar() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.heading("Add a calendar", as_="h3", size="2"),
            rx.flex(
                _labelled("Name", "cal-name", rx.input(id="cal-name", name="name", required=True)),
                _labelled(
                    "Time zone",
                    "cal-zone",
                    rx.input(id="cal-zone", name="time_zone", placeholder="Europe/Berlin"),
                ),
                _labelled(
                    "Public holidays of (country, region)",
                    "cal-country",
                    rx.flex(
                        rx.input(id="cal-country", name="holiday_country", placeholder="DE"),
                        rx.input(name="holiday_region", placeholder="BY", aria_label="Region"),
                        spacing="2",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.flex(
                _labelled(
                    "Weekly hours (a day per line, several ranges allowed)",
                    "cal-hours",
                    rx.text_area(
                        id="cal-hours",
                        name="hours",
                        rows="5",
                        default_value="mon 09:00-17:00\ntue 09:00-17:00\nwed 09:00-17:00\n"
                        "thu 09:00-17:00\nfri 09:00-17:00",
                    ),
                ),
                _labelled(
                    "Own closed dates (date and name per line)",
                    "cal-own",
                    rx.text_area(
                        id="cal-own",
                        name="own_holidays",
                        rows="5",
                        placeholder="2026-12-24 Office closed",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.button("Add calendar", type="submit", width="fit-content"),
            direction="column",
            spacing="3",
        ),
        on_submit=SlaAdminState.create_calendar,
        aria_label="Add a calendar",
    )


def _new_policy() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.heading("Add a policy", as_="h3", size="2"),
            rx.flex(
                _labelled(
                    "Priority",
                    "pol-priority",
                    rx.el.select(
                        *[rx.el.option(label, value=key) for key, label in PRIORITY_LABELS.items()],
                        id="pol-priority",
                        name="priority",
                        style=SELECT_STYLE,
                    ),
                ),
                _labelled(
                    "Category",
                    "pol-category",
                    rx.el.select(
                        rx.el.option("Every category", value=""),
                        *[rx.el.option(label, value=key) for key, label in CATEGORY_LABELS.items()],
                        id="pol-category",
                        name="category",
                        style=SELECT_STYLE,
                    ),
                ),
                _labelled(
                    "Calendar",
                    "pol-calendar",
                    rx.el.select(
                        rx.foreach(
                            SlaAdminState.calendars,
                            lambda c: rx.el.option(c["name"], value=c["id"]),
                        ),
                        id="pol-calendar",
                        name="calendar_id",
                        style=SELECT_STYLE,
                    ),
                ),
                *[
                    _labelled(
                        label,
                        f"pol-{name}",
                        rx.input(id=f"pol-{name}", name=name, type="number", min="0"),
                    )
                    for name, label in (
                        ("first_response_minutes", "First response (min)"),
                        ("next_response_minutes", "Next response (min)"),
                        ("resolution_minutes", "Resolution (min)"),
                    )
                ],
                spacing="3",
                wrap="wrap",
            ),
            rx.button("Add policy", type="submit", width="fit-content"),
            direction="column",
            spacing="3",
        ),
        on_submit=SlaAdminState.create_policy,
        aria_label="Add a policy",
    )


def sla_admin_page() -> rx.Component:
    return page(
        rx.text(
            "Targets are business minutes on a calendar: only open hours count, holidays and "
            "closed hours are skipped. A change to a policy or a calendar applies to tickets "
            "opened after it; tickets opened before keep the targets they were opened under. "
            "The clock pauses while a ticket waits on the requester (staff replied last and "
            "the status is not open).",
            size="2",
            color_scheme="gray",
        ),
        error_callout(SlaAdminState.error, SlaAdminState.load),
        rx.cond(
            SlaAdminState.loaded,
            rx.flex(
                _form_errors(),
                rx.card(
                    rx.heading("Policies", as_="h2", size="3"),
                    _table(
                        [
                            "Priority / category",
                            "Calendar",
                            "First response",
                            "Next response",
                            "Resolution",
                            "",
                        ],
                        SlaAdminState.policies,
                        _policy,
                    ),
                    rx.separator(size="4", margin_y="3"),
                    _new_policy(),
                    size="2",
                ),
                rx.card(
                    rx.heading("Calendars", as_="h2", size="3"),
                    _table(
                        ["Name", "Time zone", "Hours", "Holidays", ""],
                        SlaAdminState.calendars,
                        _calendar,
                    ),
                    rx.separator(size="4", margin_y="3"),
                    _new_calendar(),
                    size="2",
                ),
                direction="column",
                spacing="4",
            ),
            rx.cond(SlaAdminState.error, rx.fragment(), loading("Loading service levels…")),
        ),
        heading="Service levels",
    )
