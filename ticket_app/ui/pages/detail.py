"""`/tickets/[ticket_id]`: one ticket, its full text (as text, never HTML) and its triage."""

import reflex as rx

from ticket_app.ui.components.badges import category_badge, priority_badge, status_badge
from ticket_app.ui.components.feedback import empty_state, error_callout, loading
from ticket_app.ui.components.fields import choice_select, field_label
from ticket_app.ui.components.layout import page
from ticket_app.ui.components.times import exact_time
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS

ticket = DetailState.ticket


def _back_link() -> rx.Component:
    return rx.link(
        rx.flex(rx.icon("arrow-left", size=16), "All tickets", spacing="1", align="center"),
        href="/tickets",
        size="2",
        width="fit-content",
        display="block",
        margin_bottom="var(--space-2)",
    )


def _edit(
    control_id: str,
    label: str,
    value: rx.Var[str],
    on_change: rx.event.EventHandler,
    options: dict[str, str],
    colors: dict[str, str],
) -> rx.Component:
    return rx.flex(
        field_label(label, control_id),
        choice_select(control_id, value, on_change, options, colors=colors, width="100%"),
        direction="column",
        spacing="1",
    )


def _times() -> rx.Component:
    return rx.el.dl(
        rx.flex(
            rx.el.dt(rx.text("Created", size="2", color_scheme="gray")),
            rx.el.dd(rx.text(exact_time(ticket.created_at), size="2"), margin="0"),
            direction="column",
        ),
        rx.flex(
            rx.el.dt(rx.text("Last changed", size="2", color_scheme="gray")),
            rx.el.dd(rx.text(exact_time(ticket.updated_at), size="2"), margin="0"),
            direction="column",
        ),
        display="flex",
        flex_direction="column",
        gap="var(--space-3)",
        margin="0",
    )


def _suggestion() -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.icon("sparkles", size=16, color="var(--violet-9)"),
            rx.heading("Classifier suggestion", as_="h2", size="3"),
            spacing="2",
            align="center",
        ),
        rx.cond(
            ticket.suggested_category,
            rx.flex(
                category_badge(ticket.suggested_category),
                priority_badge(ticket.suggested_priority),
                spacing="2",
                wrap="wrap",
            ),
        ),
        rx.text(DetailState.suggestion_verdict, size="2", color_scheme="gray"),
        direction="column",
        spacing="2",
    )


def _ticket() -> rx.Component:
    return rx.grid(
        rx.card(
            rx.flex(
                rx.flex(
                    status_badge(ticket.status),
                    category_badge(ticket.category),
                    priority_badge(ticket.priority),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.heading("Description", as_="h2", size="3"),
                # Plain text: whatever the ticket contains is shown, never interpreted as HTML.
                rx.text(
                    ticket.description,
                    white_space="pre-wrap",
                    word_break="break-word",
                    size="3",
                    line_height="1.6",
                ),
                direction="column",
                spacing="4",
            ),
            size="3",
        ),
        rx.flex(
            rx.card(
                rx.flex(
                    rx.heading("Triage", as_="h2", size="3"),
                    _edit(
                        "status",
                        "Status",
                        ticket.status,
                        DetailState.set_status,
                        STATUS_LABELS,
                        STATUS_COLORS,
                    ),
                    _edit(
                        "category",
                        "Category",
                        ticket.category,
                        DetailState.set_category,
                        CATEGORY_LABELS,
                        CATEGORY_COLORS,
                    ),
                    _edit(
                        "priority",
                        "Priority",
                        ticket.priority,
                        DetailState.set_priority,
                        PRIORITY_LABELS,
                        PRIORITY_COLORS,
                    ),
                    rx.separator(size="4"),
                    _times(),
                    direction="column",
                    spacing="4",
                ),
                size="2",
            ),
            rx.card(_suggestion(), size="2"),
            direction="column",
            spacing="4",
        ),
        columns=rx.breakpoints(initial="1", md="2fr 1fr"),
        spacing="5",
        align_items="start",
    )


def _missing() -> rx.Component:
    return empty_state(
        "file-question",
        "Ticket not found",
        "There is no ticket at this address; it may have been deleted.",
        rx.button(rx.link("Back to all tickets", href="/tickets", underline="none"), as_child=True),
    )


def detail_page() -> rx.Component:
    return page(
        error_callout(DetailState.error, DetailState.retry),
        rx.cond(
            DetailState.loaded,
            rx.cond(DetailState.found, _ticket(), _missing()),
            rx.cond(DetailState.error, rx.fragment(), loading("Loading the ticket…")),
        ),
        heading=rx.cond(
            DetailState.found,
            "#" + ticket.id.to_string() + " " + ticket.title,
            "Ticket",
        ),
        above=_back_link(),
    )
