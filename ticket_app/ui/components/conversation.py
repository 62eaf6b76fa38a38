"""The conversation on a ticket page: the reply box and the timeline of what happened.

Comment text is shown exactly as written: line breaks kept, links clickable, nothing ever
rendered as HTML or markdown (the state splits the text into plain runs and links).
"""

import reflex as rx

from ticket_app.ui.components.assist import SHORTCUT_DEBOUNCE_MS, assist_tools
from ticket_app.ui.components.attachments import file_list, too_much, upload_zone
from ticket_app.ui.components.fields import field_error
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.state.detail import REPLY_FILES, DetailState
from ticket_app.ui.viewmodels.timeline import TimelineItem

KIND_ICONS = {
    "created": "circle-plus",
    "changed": "pencil",
    "assigned": "user-check",
    "commented": "message-square",
    "reopened": "rotate-ccw",
    "merged": "merge",
    "merged_into": "merge",
    "mail": "mail",
}


def plain_text(parts: rx.Var[list[dict[str, str]]]) -> rx.Component:
    """Text runs and links, in a block that keeps line breaks."""
    return rx.text(
        rx.foreach(
            parts,
            lambda part: rx.cond(
                part["href"],
                rx.link(
                    part["text"],
                    href=part["href"],
                    is_external=True,
                    rel="noopener noreferrer nofollow",
                ),
                rx.text(part["text"], as_="span"),
            ),
        ),
        white_space="pre-wrap",
        word_break="break-word",
        size="2",
        line_height="1.6",
    )


def _by_kind(reply: str, note: str, requester: str) -> rx.Var[str]:
    """The reply box's words: staff write a reply or an internal note, a requester a reply."""
    state = DetailState
    return rx.cond(state.can_see_notes, rx.cond(state.reply_public, reply, note), requester)


def _reply_actions() -> rx.Component:
    """The "Internal note" switch (for those who may write notes) and the send button."""
    state = DetailState
    return rx.flex(
        rx.cond(
            state.can_see_notes,
            rx.el.label(
                rx.flex(
                    rx.switch(checked=~state.reply_public, on_change=state.set_internal),
                    rx.text("Internal note", size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
        ),
        rx.button(
            rx.icon("send", size=16),
            rx.cond(state.reply_public, "Send reply", "Add note"),
            type="submit",
            loading=state.sending | state.uploading,
            disabled=too_much(state, REPLY_FILES),
            color_scheme=rx.cond(state.reply_public, "indigo", "amber"),
        ),
        justify="between",
        align="center",
        spacing="3",
        wrap="wrap",
    )


def reply_box() -> rx.Component:
    state = DetailState
    return rx.form(
        rx.flex(
            rx.el.label(
                rx.text(
                    _by_kind("Reply to the requester", "Internal note", "Your reply"),
                    size="2",
                    weight="medium",
                ),
                html_for="reply",
            ),
            assist_tools(),
            rx.text_area(
                id="reply",
                name="reply",
                placeholder=_by_kind(
                    "Write a reply. The requester sees it.",
                    "Write a note. Only agents and admins see it.",
                    "Write a reply. The desk's agents see it.",
                ),
                rows="4",
                resize="vertical",
                aria_describedby="reply-error",
                # The `/name` shortcut looks at what was typed once typing pauses, not at every
                # keystroke; the box stays uncontrolled, so an inserted reply is edited in place.
                on_change=state.typed.debounce(SHORTCUT_DEBOUNCE_MS),
                background_color=rx.cond(state.reply_public, "", "var(--amber-2)"),
            ),
            field_error(state.reply_error, "reply-error"),
            upload_zone(state, REPLY_FILES, paste_target="reply"),
            _reply_actions(),
            direction="column",
            spacing="2",
        ),
        on_submit=lambda form_data: state.send_reply_with_files(
            rx.upload_files(upload_id=REPLY_FILES, on_upload_progress=state.upload_progressed),
            form_data,
        ),
        reset_on_submit=False,
        aria_label="Reply",
    )


def _entry(item: TimelineItem) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.center(
                rx.icon(
                    rx.match(item.kind, *KIND_ICONS.items(), "circle-dot"),
                    size=14,
                    aria_hidden="true",
                ),
                width="28px",
                height="28px",
                border_radius="9999px",
                background_color=rx.cond(item.internal, "var(--amber-4)", "var(--accent-3)"),
                flex_shrink="0",
            ),
            rx.flex(
                rx.text(
                    rx.text(item.actor, weight="medium", as_="span"),
                    " ",
                    item.summary,
                    rx.cond(item.via, rx.text(" ", item.via, as_="span", color_scheme="gray")),
                    " · ",
                    relative_time(item.at),
                    size="2",
                ),
                rx.cond(
                    item.body_parts,
                    rx.box(
                        rx.cond(
                            item.internal,
                            rx.badge(
                                "Internal note",
                                color_scheme="amber",
                                variant="soft",
                                margin_bottom="var(--space-1)",
                            ),
                        ),
                        plain_text(item.body_parts),
                        file_list(item.files),
                        padding="var(--space-3)",
                        border_radius="var(--radius-3)",
                        background_color=rx.cond(item.internal, "var(--amber-2)", "var(--gray-2)"),
                        border=rx.cond(
                            item.internal, "1px dashed var(--amber-7)", "1px solid var(--gray-a4)"
                        ),
                    ),
                ),
                direction="column",
                spacing="2",
                min_width="0",
                flex="1",
            ),
            spacing="3",
        ),
        list_style="none",
    )


def timeline() -> rx.Component:
    state = DetailState
    return rx.flex(
        rx.el.ul(
            rx.foreach(state.items, _entry),
            display="flex",
            flex_direction="column",
            gap="var(--space-4)",
            padding="0",
            margin="0",
            aria_label="What happened, newest first",
        ),
        rx.cond(
            state.has_older,
            rx.button("Show older", on_click=state.show_older, variant="soft", width="fit-content"),
        ),
        direction="column",
        spacing="3",
    )
