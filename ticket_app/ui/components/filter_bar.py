"""The filter bar of the list and the board: search, category, priority, status, assignee,
requester (when a link set it) and order, each labelled, all in the page's address (see
ui/state/filters.py)."""

from typing import Any

import reflex as rx

from ticket_app.ui.components.fields import choice_select, field_error
from ticket_app.ui.labels import (
    CATEGORY_LABELS,
    PRIORITY_LABELS,
    SLA_LABELS,
    SORT_LABELS,
    STATUS_LABELS,
)
from ticket_app.ui.state.filters import ALL

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


def filter_bar(state: Any, orders: bool = True) -> rx.Component:
    """The bar for `state` (a page state with FilterState mixed in)."""
    return rx.flex(
        rx.flex(
            _filter_label("Search", "search"),
            rx.debounce_input(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    id="search",
                    type="search",
                    on_change=state.set_search,
                    placeholder="Title or description",
                    width="100%",
                    aria_describedby="filter-error",
                ),
                value=state.search,
                debounce_timeout=SEARCH_DEBOUNCE_MS,
            ),
            field_error(state.filter_error, "filter-error"),
            direction="column",
            spacing="1",
            flex="2",
            min_width="14rem",
        ),
        _filter_select(
            "filter-category",
            "Category",
            state.category_filter,
            state.set_category_filter,
            CATEGORY_LABELS,
            "All categories",
        ),
        _filter_select(
            "filter-priority",
            "Priority",
            state.priority_filter,
            state.set_priority_filter,
            PRIORITY_LABELS,
            "All priorities",
        ),
        _filter_select(
            "filter-status",
            "Status",
            state.status_filter,
            state.set_status_filter,
            STATUS_LABELS,
            "All statuses",
        ),
        rx.cond(state.can_triage, _assignee_filter(state)),
        rx.cond(
            state.can_triage,
            _filter_select(
                "filter-sla",
                "Service level",
                state.sla_filter,
                state.set_sla_filter,
                SLA_LABELS,
                "Any",
            ),
        ),
        rx.cond(state.requester_filter, _requester_filter(state)),
        _order(state) if orders else rx.fragment(),
        spacing="3",
        wrap="wrap",
        align="end",
        role="search",
        aria_label="Filter tickets",
    )


def _requester_filter(state: Any) -> rx.Component:
    """Set by a link ("their tickets" on a ticket page); shown so it can be taken away."""
    return rx.flex(
        _filter_label("Requester", "filter-requester"),
        rx.button(
            state.requester_name,
            rx.icon("x", size=14),
            id="filter-requester",
            on_click=state.clear_requester_filter,
            variant="soft",
            aria_label="Requester: " + state.requester_name + ". Remove this filter",
        ),
        direction="column",
        spacing="1",
    )


def _order(state: Any) -> rx.Component:
    return rx.flex(
        _filter_label("Order", "sort-order"),
        choice_select(
            "sort-order",
            rx.cond(state.sort_order, state.sort_order, "newest"),
            state.set_sort_order,
            SORT_LABELS,
            width="100%",
        ),
        direction="column",
        spacing="1",
        min_width="9rem",
        flex="1",
    )


def _assignee_filter(state: Any) -> rx.Component:
    value = state.assignee_filter
    return rx.flex(
        _filter_label("Assignee", "filter-assignee"),
        rx.select.root(
            rx.select.trigger(id="filter-assignee", width="100%"),
            rx.select.content(
                rx.select.item("Anyone", value=ALL),
                rx.select.item("Me", value="me"),
                rx.select.item("Nobody (unassigned)", value="none"),
                rx.foreach(
                    state.assignees,
                    lambda person: rx.select.item(person["name"], value=person["id"]),
                ),
                position="popper",
            ),
            value=rx.cond(value, value, ALL),
            on_change=state.set_assignee_filter,
        ),
        direction="column",
        spacing="1",
        min_width="9rem",
        flex="1",
    )
