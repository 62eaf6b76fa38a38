"""`/tickets`: filters and search (kept in the URL), one page of tickets, inline status."""

import reflex as rx

from ticket_app.ui.components.badges import category_badge, priority_badge, status_badge
from ticket_app.ui.components.feedback import (
    empty_state,
    error_callout,
    loading,
    warning_callout,
)
from ticket_app.ui.components.fields import choice_select
from ticket_app.ui.components.layout import new_ticket_button, page
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, SORT_LABELS, STATUS_LABELS
from ticket_app.ui.state.tickets import ALL, TicketsState
from ticket_app.ui.state.views import NOBODY, TicketRow
from ticket_app.ui.theme import STATUS_COLORS

SEARCH_DEBOUNCE_MS = 400


def _filter_label(text: str, control_id: str) -> rx.Component:
    return rx.el.label(
        rx.text(text, size="1", weight="medium", color_scheme="gray"), html_for=control_id
    )


def _filter_select(
    control_id: str,
    label: str,
    value: rx.Var[str],
    on_change: rx.event.EventHandler,
    options: dict[str, str],
    all_label: str,
) -> rx.Component:
    """A labelled filter; a comma list from a shared link shows as 'Several'."""
    return rx.flex(
        _filter_label(label, control_id),
        choice_select(
            control_id,
            rx.cond(value, value, ALL),
            on_change,
            options,
            extra_items=(
                rx.select.item(all_label, value=ALL),
                rx.cond(value.contains(","), rx.select.item("Several", value=value)),
            ),
            width="100%",
        ),
        direction="column",
        spacing="1",
        min_width="9rem",
        flex="1",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.flex(
            _filter_label("Search", "search"),
            rx.debounce_input(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    id="search",
                    type="search",
                    on_change=TicketsState.set_search,
                    placeholder="Title or description",
                    width="100%",
                    aria_describedby="filter-error",
                ),
                value=TicketsState.search,
                debounce_timeout=SEARCH_DEBOUNCE_MS,
            ),
            rx.cond(
                TicketsState.filter_error,
                rx.text(TicketsState.filter_error, id="filter-error", size="1", color_scheme="red"),
            ),
            direction="column",
            spacing="1",
            flex="2",
            min_width="14rem",
        ),
        _filter_select(
            "filter-category",
            "Category",
            TicketsState.category_filter,
            TicketsState.set_category_filter,
            CATEGORY_LABELS,
            "All categories",
        ),
        _filter_select(
            "filter-priority",
            "Priority",
            TicketsState.priority_filter,
            TicketsState.set_priority_filter,
            PRIORITY_LABELS,
            "All priorities",
        ),
        _filter_select(
            "filter-status",
            "Status",
            TicketsState.status_filter,
            TicketsState.set_status_filter,
            STATUS_LABELS,
            "All statuses",
        ),
        rx.cond(TicketsState.is_staff, _assignee_filter()),
        rx.flex(
            _filter_label("Order", "sort-order"),
            choice_select(
                "sort-order",
                rx.cond(TicketsState.sort_order, TicketsState.sort_order, "newest"),
                TicketsState.set_sort_order,
                SORT_LABELS,
                width="100%",
            ),
            direction="column",
            spacing="1",
            min_width="9rem",
            flex="1",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
        role="search",
        aria_label="Filter tickets",
    )


def _assignee_filter() -> rx.Component:
    value = TicketsState.assignee_filter
    return rx.flex(
        _filter_label("Assignee", "filter-assignee"),
        rx.select.root(
            rx.select.trigger(id="filter-assignee", width="100%"),
            rx.select.content(
                rx.select.item("Anyone", value=ALL),
                rx.select.item("Me", value="me"),
                rx.select.item("Nobody (unassigned)", value="none"),
                rx.foreach(
                    TicketsState.assignees,
                    lambda person: rx.select.item(person["name"], value=person["id"]),
                ),
                position="popper",
            ),
            value=rx.cond(value, value, ALL),
            on_change=TicketsState.set_assignee_filter,
        ),
        direction="column",
        spacing="1",
        min_width="9rem",
        flex="1",
    )


def _quick_views() -> rx.Component:
    """The built-in views every agent has, as links that set the filters."""
    return rx.flex(
        rx.text("Views:", size="2", color_scheme="gray"),
        rx.foreach(
            TicketsState.quick_views,
            lambda view: rx.link(
                view["label"],
                href=view["url"],
                size="2",
                weight=rx.cond(view["current"], "bold", "regular"),
                aria_current=rx.cond(view["current"], "page", "false"),
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="center",
    )


def _assignee_select(row: TicketRow) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder="Nobody",
            id="assignee-" + row.id.to_string(),
            aria_label="Assignee of ticket #" + row.id.to_string(),
            min_width="9rem",
            variant="soft",
            color_scheme="gray",
        ),
        rx.select.content(
            rx.select.item("Nobody", value=NOBODY),
            rx.foreach(
                TicketsState.assignees,
                lambda person: rx.select.item(person["name"], value=person["id"]),
            ),
            position="popper",
        ),
        value=row.assignee_id,
        on_change=lambda value: TicketsState.change_assignee(row.id, value),
    )


def _row_meta(row: TicketRow) -> rx.Component:
    return rx.flex(
        category_badge(row.category),
        priority_badge(row.priority),
        rx.cond(row.merged_into_id, rx.badge("Merged into #", row.merged_into_id, variant="soft")),
        rx.text(
            rx.cond(row.requester_name, row.requester_name, "Unknown requester"),
            " · opened ",
            relative_time(row.created_at),
            " · active ",
            relative_time(row.updated_at),
            size="1",
            color_scheme="gray",
        ),
        rx.flex(
            rx.icon("message-square", size=14, aria_hidden="true"),
            rx.text(row.comment_count, size="1"),
            rx.cond(
                TicketsState.is_staff & (row.note_count > 0),
                rx.text("· ", row.note_count, " internal", size="1"),
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


def _row(row: TicketRow) -> rx.Component:
    ticket_url = "/tickets/" + row.id.to_string()
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.flex(
                    rx.flex(
                        rx.text("#", row.id, size="2", color_scheme="gray", flex_shrink="0"),
                        rx.link(
                            row.title,
                            href=ticket_url,
                            size="3",
                            weight="medium",
                            high_contrast=True,
                            underline="hover",
                            word_break="break-word",
                        ),
                        spacing="2",
                        align="baseline",
                    ),
                    rx.text(row.excerpt, size="2", color_scheme="gray", word_break="break-word"),
                    _row_meta(row),
                    direction="column",
                    spacing="2",
                    min_width="0",
                    flex="1",
                ),
                rx.cond(
                    TicketsState.is_staff,
                    rx.flex(
                        choice_select(
                            "status-" + row.id.to_string(),
                            row.status,
                            lambda value: TicketsState.change_status(row.id, value),
                            STATUS_LABELS,
                            colors=STATUS_COLORS,
                            aria_label="Status of ticket #" + row.id.to_string(),
                            min_width="9rem",
                        ),
                        _assignee_select(row),
                        direction="column",
                        spacing="2",
                        flex_shrink="0",
                    ),
                    rx.box(status_badge(row.status), flex_shrink="0"),
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="3",
                justify="between",
            ),
            size="2",
        ),
        list_style="none",
    )


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(TicketsState.range_text, size="2", color_scheme="gray", aria_live="polite"),
        rx.cond(
            TicketsState.several_pages,
            rx.flex(
                rx.button(
                    rx.icon("chevron-left", size=16),
                    "Newer",
                    on_click=TicketsState.previous_page,
                    disabled=TicketsState.page <= 1,
                    variant="soft",
                ),
                rx.text("Page ", TicketsState.page, size="2"),
                rx.button(
                    "Older",
                    rx.icon("chevron-right", size=16),
                    on_click=TicketsState.next_page,
                    disabled=~TicketsState.has_next,
                    variant="soft",
                ),
                spacing="3",
                align="center",
            ),
        ),
        justify="between",
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _empty() -> rx.Component:
    return rx.cond(
        TicketsState.has_filters,
        empty_state(
            "search-x",
            "No tickets match these filters",
            "Try another search word, or widen the filters.",
            rx.button("Clear filters", on_click=TicketsState.clear_filters, variant="soft"),
        ),
        empty_state(
            "inbox",
            "No tickets yet",
            "Create the first one: describe a problem and we suggest its category and priority.",
            new_ticket_button(),
        ),
    )


def _results() -> rx.Component:
    return rx.cond(
        TicketsState.loaded,
        rx.cond(
            TicketsState.rows,
            rx.flex(
                _pager(),
                rx.el.ul(
                    rx.foreach(TicketsState.rows, _row),
                    display="flex",
                    flex_direction="column",
                    gap="var(--space-3)",
                    padding="0",
                    margin="0",
                    aria_label="Tickets, newest first",
                ),
                rx.cond(TicketsState.several_pages, _pager()),
                direction="column",
                spacing="3",
            ),
            _empty(),
        ),
        loading("Loading tickets…"),
    )


def tickets_page() -> rx.Component:
    return page(
        rx.cond(TicketsState.is_staff, _quick_views()),
        _filters(),
        warning_callout(TicketsState.warning),
        error_callout(TicketsState.error, TicketsState.retry),
        _results(),
        heading=rx.cond(TicketsState.is_staff, "Tickets", "My tickets"),
        description="Filters, search and order are in the address: bookmark or share them.",
        actions=rx.flex(
            rx.cond(
                TicketsState.has_filters,
                rx.button(
                    rx.icon("x", size=16),
                    "Clear filters",
                    on_click=TicketsState.clear_filters,
                    variant="soft",
                    color_scheme="gray",
                ),
            ),
            new_ticket_button(),
            spacing="3",
        ),
    )
