"""The similar-tickets list: on the form while a ticket is written, and beside a ticket.

Each line says why it is there (the words it shares) and how close it is, so an agent can
judge a duplicate without opening it; `action` adds a control per line (the ticket page's
"Merge into this one").
"""

from collections.abc import Callable

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.badges import status_badge
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.viewmodels.rows import SimilarRow


def _line(
    row: rx.Var[SimilarRow], new_tab: bool, action: Callable[[rx.Var[SimilarRow]], rx.Component]
) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.flex(
                rx.link(
                    "#",
                    row.id,
                    " ",
                    row.title,
                    href=routes.ticket_url(row.id),
                    target="_blank" if new_tab else "",
                    weight="medium",
                    size="2",
                ),
                rx.flex(
                    status_badge(row.status),
                    rx.text(
                        relative_time(row.created_at),
                        " · ",
                        row.score,
                        "% alike · ",
                        row.reason,
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                direction="column",
                spacing="1",
                min_width="0",
            ),
            action(row),
            justify="between",
            align="center",
            spacing="3",
        ),
        padding_y="var(--space-2)",
        border_top="1px solid var(--gray-a4)",
    )


def similar_list(
    rows: rx.Var[list[SimilarRow]],
    heading: rx.Var[str] | str,
    *,
    new_tab: bool = False,
    action: Callable[[rx.Var[SimilarRow]], rx.Component] = lambda row: rx.fragment(),
    list_id: str = "similar-tickets",
) -> rx.Component:
    """`rows` under `heading`, or nothing while there are none."""
    return rx.cond(
        rows.length() > 0,
        rx.flex(
            rx.flex(
                rx.icon("copy", size=16, color="var(--accent-9)", aria_hidden="true"),
                rx.heading(heading, as_="h2", size="3", id=f"{list_id}-heading"),
                spacing="2",
                align="center",
            ),
            rx.el.ul(
                rx.foreach(rows, lambda row: _line(row, new_tab, action)),
                id=list_id,
                aria_labelledby=f"{list_id}-heading",
                style={"listStyle": "none", "margin": 0, "padding": 0},
            ),
            direction="column",
            spacing="2",
        ),
    )
