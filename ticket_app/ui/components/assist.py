"""The ticket page's reply assistance (staff only): the canned-reply picker and its `/name`
shortcut, "Suggest a reply" with the draft's sources and feedback, and the summary that opens
a long conversation."""

import reflex as rx

from ticket_app.services.summaries import LONG
from ticket_app.ui.state.detail import DetailState

# The reply box tells the server what was typed once typing pauses this long (a `/name` is
# looked up then), as the list's search and the new-ticket form's suggestion do.
SHORTCUT_DEBOUNCE_MS = 300


def _picked(item: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.button(
        rx.text(item["name"], weight="medium"),
        rx.text(item["preview"], size="1", color_scheme="gray", truncate=True),
        rx.cond(item["macro"] != "", rx.badge("macro", size="1")),
        variant="ghost",
        type="button",
        justify="start",
        on_click=DetailState.insert_canned(item["id"]),
        aria_label="Insert canned reply",
    )


def canned_picker() -> rx.Component:
    state = DetailState
    return rx.cond(
        state.canned_open,
        rx.card(
            rx.flex(
                rx.cond(
                    state.canned_items.length() > 0,
                    rx.foreach(state.canned_items, _picked),
                    rx.text("No canned reply matches.", size="2", color_scheme="gray"),
                ),
                rx.button(
                    "Close", variant="soft", size="1", type="button", on_click=state.close_canned
                ),
                direction="column",
                spacing="1",
            ),
            role="listbox",
            aria_label="Canned replies",
        ),
    )


def _draft_line() -> rx.Component:
    state = DetailState
    return rx.cond(
        state.draft_id > 0,
        rx.flex(
            rx.text(
                "Draft (",
                state.draft_origin,
                ") from: ",
                rx.cond(
                    state.draft_sources.length() > 0,
                    state.draft_sources.join(", "),
                    "no similar solved ticket",
                ),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                state.draft_verdict != "",
                rx.text("Marked ", state.draft_verdict, size="1"),
                rx.flex(
                    rx.button(
                        "Helpful",
                        size="1",
                        variant="soft",
                        type="button",
                        on_click=state.rate_draft(True),
                    ),
                    rx.button(
                        "Not helpful",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=state.rate_draft(False),
                    ),
                    spacing="1",
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
    )


def assist_tools() -> rx.Component:
    """Above the reply box: search canned replies, or ask for a draft."""
    state = DetailState
    return rx.cond(
        state.can_assist,
        rx.flex(
            rx.flex(
                rx.input(
                    placeholder="Canned replies: search by name or text (or type /name below)",
                    on_change=state.search_canned,
                    aria_label="Search canned replies",
                    width="100%",
                ),
                rx.button(
                    rx.icon("sparkles", size=16),
                    "Suggest a reply",
                    type="button",
                    variant="soft",
                    on_click=state.suggest,
                ),
                spacing="2",
            ),
            canned_picker(),
            _draft_line(),
            direction="column",
            spacing="2",
        ),
    )


def summary_card() -> rx.Component:
    """The summary of a conversation longer than LONG messages, loaded once per version."""
    state = DetailState
    return rx.cond(
        state.can_assist & (state.ticket.comment_count + 1 > LONG),
        rx.box(
            rx.cond(
                state.summary != "",
                rx.callout.root(
                    rx.callout.text(
                        rx.text("Summary (", state.summary_source, ")", weight="medium"),
                        rx.text(state.summary, white_space="pre-line"),
                    ),
                    color_scheme="gray",
                    role="note",
                ),
            ),
            key=state.ticket.version,
            on_mount=state.load_summary,
        ),
    )
