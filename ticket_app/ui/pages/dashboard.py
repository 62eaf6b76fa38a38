"""`/dashboard`: totals, breakdowns, tickets per day and the AI agreement, updated live."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.charts import (
    breakdown_chart,
    breakdown_legend,
    chart_card,
    daily_chart,
    stat_card,
)
from ticket_app.ui.components.feedback import error_callout, loading
from ticket_app.ui.components.layout import page
from ticket_app.ui.state.dashboard import DAYS, DashboardState
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS


def _live_badge() -> rx.Component:
    return rx.badge(
        rx.box(
            width="8px",
            height="8px",
            border_radius="9999px",
            background_color="var(--grass-9)",
            aria_hidden="true",
        ),
        "Live",
        color_scheme="grass",
        variant="soft",
        high_contrast=True,  # grass text on its soft background is below 4.5:1 (axe)
        size="2",
        title="Updates within seconds when any agent or the API changes a ticket",
    )


def _numbers() -> rx.Component:
    state = DashboardState
    return rx.grid(
        stat_card("Total tickets", state.total_tickets, "ticket", "All time"),
        stat_card("Open", state.open_tickets, "inbox", "Waiting for an agent"),
        stat_card(
            "Average per day", state.average_per_day, "calendar-days", "Since the first ticket"
        ),
        rx.cond(
            state.can_read_all,
            stat_card(
                "AI suggestion kept",
                state.agreement_share,
                "sparkles",
                state.agreed.to_string()
                + " of "
                + state.suggested.to_string()
                + " suggested tickets kept both values",
            ),
        ),
        rx.cond(
            state.can_read_all,
            stat_card(
                "Suggested replies helpful",
                state.drafts_helpful,
                "message-square-text",
                state.drafts_detail,
            ),
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="4",
    )


def _assignee_loads() -> rx.Component:
    """Open tickets of the busiest assignees and the unassigned ones, each a link to them."""
    return chart_card(
        "Open tickets per assignee",
        rx.el.ul(
            rx.foreach(
                DashboardState.assignee_data,
                lambda row: rx.el.li(
                    rx.flex(
                        rx.link(row.name, href=row.url, size="2"),
                        rx.text(row.count, size="2", weight="bold"),
                        justify="between",
                        padding_y="var(--space-1)",
                        border_bottom="1px solid var(--gray-a4)",
                    ),
                    list_style="none",
                ),
            ),
            padding="0",
            margin="0",
            aria_label="Open tickets per assignee",
        ),
        rx.fragment(),
    )


def _service_levels() -> rx.Component:
    """Targets met in time over the period per priority, median first response, breached now."""
    state = DashboardState
    return rx.card(
        rx.flex(
            rx.heading(f"Service levels, last {DAYS} days", as_="h2", size="3"),
            rx.flex(
                rx.link(
                    rx.text("Breached now: ", rx.text.strong(state.breached_now)),
                    href=routes.list_url({"sla": "breached"}),
                ),
                rx.text(
                    "Median business time to first response: ",
                    rx.text.strong(state.median_first_response),
                ),
                spacing="5",
                wrap="wrap",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Priority", "First response", "Next response", "Resolution")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        state.service_data,
                        lambda row: rx.table.row(
                            rx.table.cell(row["priority"]),
                            rx.table.cell(row["first_response"]),
                            rx.table.cell(row["next_response"]),
                            rx.table.cell(row["resolution"]),
                        ),
                    )
                ),
                size="1",
            ),
            rx.text("Share of targets met in time, of those met or breached.", size="1"),
            direction="column",
            spacing="3",
        ),
        size="2",
    )


def _charts() -> rx.Component:
    state = DashboardState
    return rx.flex(
        rx.cond(state.can_read_all, _assignee_loads()),
        rx.cond(state.can_read_all, _service_levels()),
        chart_card(
            f"Tickets per day, last {DAYS} days",
            daily_chart(state.daily_data),
            rx.fragment(),
        ),
        rx.grid(
            chart_card(
                "By status",
                breakdown_chart(state.status_data, STATUS_COLORS, "Tickets"),
                breakdown_legend(state.status_data, "status"),
            ),
            chart_card(
                "By priority",
                breakdown_chart(state.priority_data, PRIORITY_COLORS, "Tickets"),
                breakdown_legend(state.priority_data, "priority"),
            ),
            chart_card(
                "By category",
                breakdown_chart(state.category_data, CATEGORY_COLORS, "Tickets"),
                breakdown_legend(state.category_data, "category"),
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
        ),
        direction="column",
        spacing="4",
    )


def dashboard_page() -> rx.Component:
    return page(
        error_callout(DashboardState.error, DashboardState.retry),
        rx.cond(
            DashboardState.capped,
            rx.callout(
                "These figures cover your newest 10,000 tickets.",
                icon="info",
                color_scheme="gray",
                size="1",
            ),
        ),
        rx.cond(
            DashboardState.loaded,
            rx.flex(_numbers(), _charts(), direction="column", spacing="4"),
            rx.cond(DashboardState.error, rx.fragment(), loading("Loading the numbers…")),
        ),
        heading="Dashboard",
        description=rx.cond(
            DashboardState.can_read_all,
            "Every open dashboard moves as soon as a ticket is created or changed.",
            "Your tickets at a glance; it moves as soon as one of them changes.",
        ),
        actions=_live_badge(),
    )
