"""One row of the ticket list, as a memoised React component with plain props.

Why this shape (docs/performance.md, "Clicks"): a filter click or a page turn spent most of its
time in the browser rendering 25 rows, each with two composed (Radix) selects and a composed
checkbox, all inline in one `foreach` that re-rendered every row at every change of the page's
state. Here a row is its own `React.memo` component whose props are strings, numbers and
booleans, keyed by the ticket's id: a push that changes one ticket re-renders one row, a
selection tick one row, and a new page renders rows made of plain elements (native
`<select>` and checkbox, which the browser draws without a React component tree of their own).
"""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.badges import (
    category_badge,
    due_badge,
    priority_badge,
    status_badge,
)
from ticket_app.ui.components.fields import native_select
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import STATUS_LABELS
from ticket_app.ui.state.tickets import TicketsState
from ticket_app.ui.theme import STATUS_COLORS
from ticket_app.ui.viewmodels.rows import NOBODY, TicketRow


def _meta(
    category: rx.Var[str],
    priority: rx.Var[str],
    due_state: rx.Var[str],
    due_at: rx.Var[str],
    merged_into_id: rx.Var[int],
    requester_name: rx.Var[str],
    created_at: rx.Var[str],
    updated_at: rx.Var[str],
    comment_count: rx.Var[int],
    note_count: rx.Var[int],
    see_notes: rx.Var[bool],
) -> rx.Component:
    return rx.flex(
        category_badge(category),
        priority_badge(priority),
        due_badge(due_state, due_at),
        rx.cond(merged_into_id, rx.badge("Merged into #", merged_into_id, variant="soft")),
        rx.text(
            rx.cond(requester_name, requester_name, "Unknown requester"),
            " · opened ",
            relative_time(created_at),
            " · active ",
            relative_time(updated_at),
            size="1",
            color_scheme="gray",
        ),
        rx.flex(
            rx.icon("message-square", size=14, aria_hidden="true"),
            rx.text(comment_count, size="1"),
            rx.cond(
                see_notes & (note_count > 0),
                rx.text("· ", note_count, " internal", size="1"),
            ),
            spacing="1",
            align="center",
            color="var(--gray-11)",
            title="Replies",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _triage(
    row_id: rx.Var[int],
    status: rx.Var[str],
    assignee_id: rx.Var[str],
    assignees: rx.Var[list[dict[str, str]]],
) -> rx.Component:
    """Status and assignee as native selects (the browser's own control)."""
    number = row_id.to_string()
    return rx.flex(
        native_select(
            "status-" + number,
            status,
            lambda value: TicketsState.change_status(row_id, value),
            STATUS_LABELS,
            aria_label="Status of ticket #" + number,
            colors=STATUS_COLORS,
        ),
        native_select(
            "assignee-" + number,
            assignee_id,
            lambda value: TicketsState.change_assignee(row_id, value),
            {NOBODY: "Nobody"},
            aria_label="Assignee of ticket #" + number,
            more=rx.foreach(
                assignees,
                lambda person: rx.el.option(person["name"], value=person["id"]),
            ),
        ),
        direction="column",
        spacing="2",
        flex_shrink="0",
    )


@rx.memo
def ticket_row(
    row_id: rx.Var[int],
    title: rx.Var[str],
    excerpt: rx.Var[str],
    category: rx.Var[str],
    priority: rx.Var[str],
    status: rx.Var[str],
    created_at: rx.Var[str],
    updated_at: rx.Var[str],
    assignee_id: rx.Var[str],
    requester_name: rx.Var[str],
    comment_count: rx.Var[int],
    note_count: rx.Var[int],
    merged_into_id: rx.Var[int],
    due_at: rx.Var[str],
    due_state: rx.Var[str],
    checked: rx.Var[bool],
    locked: rx.Var[bool],
    triage: rx.Var[bool],
    see_notes: rx.Var[bool],
    assignees: rx.Var[list[dict[str, str]]],
    rest: rx.RestProp,
) -> rx.Component:
    """A list row; `triage` shows the tick and the selects, else the status as a badge.
    (`rest`: what the call site passes besides, spread on the item; React takes its `key`.)"""
    number = row_id.to_string()
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.flex(
                    rx.flex(
                        rx.cond(
                            triage,
                            rx.el.input(
                                type="checkbox",
                                class_name="row-tick",
                                checked=checked,
                                disabled=locked,
                                on_change=lambda _checked: TicketsState.toggle(row_id),
                                aria_label="Select ticket #" + number,
                            ),
                        ),
                        rx.text("#", row_id, size="2", color_scheme="gray", flex_shrink="0"),
                        rx.link(
                            title,
                            href=routes.ticket_url(row_id),
                            size="3",
                            weight="medium",
                            high_contrast=True,
                            underline="hover",
                            word_break="break-word",
                        ),
                        spacing="2",
                        align="baseline",
                    ),
                    rx.text(excerpt, size="2", color_scheme="gray", word_break="break-word"),
                    _meta(
                        category,
                        priority,
                        due_state,
                        due_at,
                        merged_into_id,
                        requester_name,
                        created_at,
                        updated_at,
                        comment_count,
                        note_count,
                        see_notes,
                    ),
                    direction="column",
                    spacing="2",
                    min_width="0",
                    flex="1",
                ),
                rx.cond(
                    triage,
                    _triage(row_id, status, assignee_id, assignees),
                    rx.box(status_badge(status), flex_shrink="0"),
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="3",
                justify="between",
            ),
            size="2",
        ),
        rest,
        list_style="none",
    )


def list_row(row: TicketRow) -> rx.Component:
    """The row of `row` (a foreach item of the list's state), keyed by the ticket's id."""
    return ticket_row(
        row_id=row.id,
        title=row.title,
        excerpt=row.excerpt,
        category=row.category,
        priority=row.priority,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        assignee_id=row.assignee_id,
        requester_name=row.requester_name,
        comment_count=row.comment_count,
        note_count=row.note_count,
        merged_into_id=row.merged_into_id,
        due_at=row.due_at,
        due_state=row.due_state,
        checked=TicketsState.all_matching | TicketsState.selected.contains(row.id),
        locked=TicketsState.all_matching,
        triage=TicketsState.can_triage,
        see_notes=TicketsState.can_see_notes,
        assignees=TicketsState.assignees,
        key=row.id,
    )
