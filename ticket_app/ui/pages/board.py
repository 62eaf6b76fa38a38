"""`/board`: the status board. Cards move between columns by drag and drop, or with each
card's "Move to" select (keyboard and touch)."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.badges import category_badge, due_badge, priority_badge
from ticket_app.ui.components.drag import drag_card, drop_zone
from ticket_app.ui.components.feedback import error_callout, loading, warning_callout
from ticket_app.ui.components.filter_bar import filter_bar
from ticket_app.ui.components.layout import new_ticket_button, page
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import STATUS_LABELS
from ticket_app.ui.state.board import BoardColumn, BoardState
from ticket_app.ui.theme import STATUS_COLORS
from ticket_app.ui.viewmodels.rows import TicketRow


def _card(card: TicketRow) -> rx.Component:
    return rx.el.li(
        drag_card(
            rx.card(
                rx.flex(
                    rx.link(
                        rx.text("#", card.id, " ", card.title, size="2", weight="medium"),
                        href=routes.ticket_url(card.id),
                        underline="hover",
                        high_contrast=True,
                        word_break="break-word",
                    ),
                    rx.flex(
                        category_badge(card.category),
                        priority_badge(card.priority),
                        due_badge(card.due_state, card.due_at),
                        spacing="1",
                        wrap="wrap",
                    ),
                    rx.text(
                        rx.cond(card.assignee_name, card.assignee_name, "Unassigned"),
                        " · ",
                        relative_time(card.created_at),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.select.root(
                        rx.select.trigger(
                            placeholder="Move to…",
                            aria_label="Move ticket #" + card.id.to_string() + " to",
                            size="1",
                            variant="ghost",
                        ),
                        rx.select.content(
                            *[
                                rx.select.item(label, value=key)
                                for key, label in STATUS_LABELS.items()
                            ],
                            position="popper",
                        ),
                        value="",
                        on_change=lambda status: BoardState.move(card.id, status),
                    ),
                    direction="column",
                    spacing="2",
                ),
                size="1",
                cursor="grab",
            ),
            draggable=True,
            on_drag_start=BoardState.start_drag(card.id),
            on_drag_end=BoardState.end_drag,
        ),
        list_style="none",
    )


def _column(column: BoardColumn) -> rx.Component:
    return drop_zone(
        rx.flex(
            rx.flex(
                rx.badge(
                    column.label,
                    color_scheme=rx.match(column.status, *STATUS_COLORS.items(), "gray"),
                    variant="soft",
                    high_contrast=True,  # on the column's grey, the soft text fails contrast
                    size="2",
                ),
                rx.text(column.count, size="2", color_scheme="gray", aria_label="tickets"),
                justify="between",
                align="center",
            ),
            rx.el.ul(
                rx.foreach(column.cards, _card),
                display="flex",
                flex_direction="column",
                gap="var(--space-2)",
                padding="0",
                margin="0",
                aria_label=column.label,
            ),
            rx.cond(
                column.has_more,
                rx.button(
                    "Load more",
                    on_click=BoardState.more(column.status),
                    variant="soft",
                    size="1",
                    aria_label="Load more " + column.label.lower() + " tickets",
                ),
            ),
            direction="column",
            spacing="3",
        ),
        on_drag_over=rx.prevent_default,
        on_drop=BoardState.drop(column.status).prevent_default,
        role="region",
        aria_label=column.label + " column",
        padding="var(--space-3)",
        border_radius="var(--radius-4)",
        background_color=rx.cond(BoardState.dragging, "var(--accent-2)", "var(--gray-3)"),
        min_height="12rem",
    )


def board_page() -> rx.Component:
    return page(
        filter_bar(BoardState),
        warning_callout(BoardState.warning),
        error_callout(BoardState.error, BoardState.retry),
        rx.cond(
            BoardState.loaded,
            rx.grid(
                rx.foreach(BoardState.columns, _column),
                columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="4",
                align_items="start",
            ),
            rx.cond(BoardState.error, rx.fragment(), loading("Loading the board…")),
        ),
        heading="Board",
        description="Drag a card to another column, or use its Move to, to change its status.",
        actions=new_ticket_button(),
    )
