"""`/tickets`: filters, search and order (kept in the URL), one page of tickets with inline
triage, a selection for bulk changes, saved views beside the list, and a CSV export."""

import reflex as rx

from ticket_app.services.bulk import BULK_CAP
from ticket_app.ui import routes
from ticket_app.ui.components.feedback import (
    empty_state,
    error_callout,
    loading,
    warning_callout,
)
from ticket_app.ui.components.fields import field_error
from ticket_app.ui.components.filter_bar import filter_bar
from ticket_app.ui.components.layout import new_ticket_button, page, section_card
from ticket_app.ui.components.ticket_row import list_row
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.state.tickets import TicketsState, ViewLink
from ticket_app.ui.viewmodels.rows import NOBODY


def _view_link(view: ViewLink) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.link(
                rx.flex(
                    rx.text(view.name, size="2", weight=rx.cond(view.current, "bold", "regular")),
                    rx.badge(view.count, variant="soft", color_scheme="gray", radius="full"),
                    justify="between",
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                href=view.url,
                underline="none",
                color_scheme=rx.cond(view.current, "indigo", "gray"),
                high_contrast=~view.current,
                aria_current=rx.cond(view.current, "page", "false"),
                flex="1",
                min_width="0",
            ),
            rx.cond(
                TicketsState.can_share_views & ~view.built_in,
                rx.icon_button(
                    rx.icon(rx.cond(view.shared, "users", "user"), size=12),
                    on_click=TicketsState.share_view(view.id, ~view.shared),
                    size="1",
                    variant=rx.cond(view.shared, "soft", "ghost"),
                    color_scheme=rx.cond(view.shared, "indigo", "gray"),
                    aria_label=rx.cond(
                        view.shared,
                        "Stop sharing the view " + view.name,
                        "Share the view " + view.name + " with everyone",
                    ),
                    aria_pressed=rx.cond(view.shared, "true", "false"),
                ),
            ),
            rx.cond(
                view.own,
                rx.icon_button(
                    rx.icon("x", size=12),
                    on_click=TicketsState.delete_view(view.id),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Delete the view " + view.name,
                ),
            ),
            align="center",
            spacing="1",
            padding_y="var(--space-1)",
        ),
        list_style="none",
    )


def _views() -> rx.Component:
    """Saved, shared and built-in views, each with how many tickets it shows now."""
    return section_card(
        "Views",
        rx.el.ul(
            rx.foreach(TicketsState.saved_views, _view_link),
            padding="0",
            margin="0",
            aria_label="Saved views",
        ),
        rx.form(
            rx.flex(
                rx.el.label(
                    rx.text("Save these filters as", size="1", color_scheme="gray"),
                    html_for="view-name",
                ),
                rx.flex(
                    rx.input(
                        id="view-name",
                        name="name",
                        placeholder="View name",
                        size="1",
                        aria_describedby="view-error",
                    ),
                    rx.button("Save", type="submit", size="1", variant="soft"),
                    spacing="2",
                ),
                field_error(TicketsState.view_error, "view-error"),
                direction="column",
                spacing="1",
            ),
            on_submit=TicketsState.save_view,
            reset_on_submit=True,
            aria_label="Save a view",
        ),
        spacing="3",
        size="2",
    )


def _bulk_select(label: str, field: str, options: dict[str, str]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder=label, aria_label=label + " of the selection", variant="soft"
        ),
        rx.select.content(
            *[rx.select.item(text, value=key) for key, text in options.items()],
            position="popper",
        ),
        value="",
        on_change=lambda value: TicketsState.ask_bulk(field, value),
    )


def _select_all_matching() -> rx.Component:
    """Beyond this page: every ticket the filters match (up to the bulk service's cap)."""
    return rx.cond(
        ~TicketsState.all_matching & (TicketsState.total > TicketsState.rows.length()),
        rx.button(
            "Select all ",
            rx.cond(TicketsState.total_capped, f"{BULK_CAP:,}", TicketsState.total.to_string()),
            " matching",
            on_click=TicketsState.select_all_matching,
            size="1",
            variant="ghost",
        ),
    )


def _bulk_assignee() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(
            placeholder="Assignee", aria_label="Assignee of the selection", variant="soft"
        ),
        rx.select.content(
            rx.select.item("Nobody", value=NOBODY),
            rx.foreach(
                TicketsState.assignees,
                lambda person: rx.select.item(person["name"], value=person["id"]),
            ),
            position="popper",
        ),
        value="",
        on_change=lambda value: TicketsState.ask_bulk("assignee_id", value),
    )


def _bulk_bar() -> rx.Component:
    """What to do with the selection; each choice is confirmed once before it runs."""
    return rx.cond(
        TicketsState.selection_count > 0,
        rx.card(
            rx.flex(
                rx.text(TicketsState.selection_text, size="2", weight="medium", aria_live="polite"),
                _select_all_matching(),
                _bulk_select("Status", "status", STATUS_LABELS),
                _bulk_select("Priority", "priority", PRIORITY_LABELS),
                _bulk_select("Category", "category", CATEGORY_LABELS),
                _bulk_assignee(),
                rx.cond(
                    TicketsState.can_delete,
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        on_click=TicketsState.ask_bulk("delete", ""),
                        size="1",
                        color_scheme="red",
                        variant="soft",
                    ),
                ),
                rx.button(
                    "Clear selection",
                    on_click=TicketsState.clear_selection,
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            size="1",
            background_color="var(--accent-2)",
        ),
    )


def _bulk_confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Change many tickets"),
            rx.alert_dialog.description(TicketsState.pending_text),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=TicketsState.cancel_bulk,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Yes, do it",
                        on_click=TicketsState.run_bulk,
                        loading=TicketsState.bulk_running,
                        color_scheme=rx.cond(
                            TicketsState.pending_field == "delete", "red", "indigo"
                        ),
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=TicketsState.pending_field != "",
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


def _select_page() -> rx.Component:
    return rx.cond(
        TicketsState.can_triage,
        rx.el.label(
            rx.flex(
                rx.checkbox(
                    checked=TicketsState.page_selected,
                    on_change=lambda _checked: TicketsState.toggle_page(),
                    aria_label="Select all tickets on this page",
                ),
                rx.text("All on this page", size="2"),
                spacing="2",
                align="center",
            ),
        ),
    )


def _results() -> rx.Component:
    return rx.cond(
        TicketsState.loaded,
        rx.cond(
            TicketsState.rows,
            rx.flex(
                rx.flex(_select_page(), _pager(), spacing="4", align="center", wrap="wrap"),
                _bulk_bar(),
                rx.el.ul(
                    rx.foreach(TicketsState.rows, list_row),
                    display="flex",
                    flex_direction="column",
                    gap="var(--space-3)",
                    padding="0",
                    margin="0",
                    aria_label="Tickets",
                ),
                rx.cond(TicketsState.several_pages, _pager()),
                direction="column",
                spacing="3",
            ),
            _empty(),
        ),
        loading("Loading tickets…"),
    )


def _export_link() -> rx.Component:
    """The list as CSV, with its filters and order (the browser downloads it)."""
    return rx.button(
        rx.el.a(
            rx.icon("download", size=16),
            "Export CSV",
            # Not a page of the app: the browser itself fetches the file.
            href=routes.EXPORT + "?" + TicketsState.filter_query,
            download=True,
            custom_attrs={"reloadDocument": True},
        ),
        as_child=True,
        variant="soft",
    )


def tickets_page() -> rx.Component:
    return page(
        _bulk_confirm(),
        filter_bar(TicketsState),
        warning_callout(TicketsState.warning),
        error_callout(TicketsState.error, TicketsState.retry),
        rx.grid(
            _views(),
            rx.box(_results(), min_width="0"),
            columns=rx.breakpoints(initial="1", md="15rem 1fr"),
            spacing="5",
            align_items="start",
        ),
        heading=rx.cond(TicketsState.can_read_all, "Tickets", "My tickets"),
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
            _export_link(),
            new_ticket_button(),
            spacing="3",
            wrap="wrap",
        ),
    )
