"""`/tickets/[ticket_id]`: one ticket, its full text (as text, never HTML), its triage and its
conversation with the full history."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.assist import summary_card
from ticket_app.ui.components.attachments import file_list
from ticket_app.ui.components.badges import category_badge, priority_badge, status_badge
from ticket_app.ui.components.conversation import plain_text, reply_box, timeline
from ticket_app.ui.components.feedback import empty_state, error_callout, loading
from ticket_app.ui.components.fields import choice_select, field_error, field_label
from ticket_app.ui.components.layout import page, section_card
from ticket_app.ui.components.similar import similar_list
from ticket_app.ui.components.ticket_mail import ticket_mail_card
from ticket_app.ui.components.times import exact_time
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.duplicates import DuplicatesState
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS
from ticket_app.ui.viewmodels.rows import NOBODY

ticket = DetailState.ticket


def _back_link() -> rx.Component:
    return rx.link(
        rx.flex(rx.icon("arrow-left", size=16), "All tickets", spacing="1", align="center"),
        href=routes.TICKETS,
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


def _assignee() -> rx.Component:
    return rx.flex(
        field_label("Assignee", "assignee"),
        rx.select.root(
            rx.select.trigger(id="assignee", width="100%", placeholder="Nobody"),
            rx.select.content(
                rx.select.item("Nobody", value=NOBODY),
                rx.foreach(
                    DetailState.assignees,
                    lambda person: rx.select.item(person["name"], value=person["id"]),
                ),
                position="popper",
            ),
            value=ticket.assignee_id,
            on_change=DetailState.set_assignee,
        ),
        rx.cond(
            DetailState.can_take,
            rx.button(
                rx.icon("hand", size=16),
                "Take it",
                on_click=DetailState.take,
                variant="soft",
                size="1",
                width="fit-content",
            ),
        ),
        direction="column",
        spacing="1",
    )


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.flex(
        rx.el.dt(rx.text(label, size="2", color_scheme="gray")),
        rx.el.dd(value, margin="0"),
        direction="column",
    )


def _times() -> rx.Component:
    return rx.el.dl(
        _fact(
            "Requester",
            rx.flex(
                rx.text(rx.cond(ticket.requester_name, ticket.requester_name, "Unknown"), size="2"),
                rx.cond(
                    DetailState.can_read_all & (ticket.requester_id > 0),
                    rx.link(
                        "Their tickets",
                        href=routes.requester_list_url(ticket.requester_id),
                        size="2",
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
        ),
        rx.cond(
            ticket.participant_names,
            _fact("Participants", rx.text(ticket.participant_names, size="2", id="participants")),
        ),
        rx.cond(
            ~DetailState.can_triage,
            _fact(
                "Assignee",
                rx.text(
                    rx.cond(ticket.assignee_name, ticket.assignee_name, "Not yet assigned"),
                    size="2",
                ),
            ),
        ),
        _fact("Created", rx.text(exact_time(ticket.created_at), size="2")),
        _fact("Last activity", rx.text(exact_time(ticket.updated_at), size="2")),
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


def _phase(phase: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.strong(phase["kind"]),
            " ",
            phase["span"],
            " · ",
            phase["minutes"],
            rx.cond(phase["note"], rx.text.span(" · ", phase["note"])),
            size="1",
        )
    )


def _timer(timer: rx.Var) -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.text(timer.label, size="2", weight="medium"),
            rx.badge(timer.state_label, color_scheme=timer.tone, variant="soft", size="1"),
            rx.cond(timer.breached, rx.badge("Breached", color_scheme="red", size="1")),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            timer.due,
            rx.text("Due ", timer.due, " · ", timer.left, size="1", color_scheme="gray"),
        ),
        rx.el.details(
            rx.el.summary(rx.text("How was this computed", size="1")),
            rx.el.ul(rx.foreach(timer.phases, _phase), style={"paddingLeft": "1rem"}),
        ),
        direction="column",
        spacing="1",
        data_testid="sla-timer",
        data_target=timer.target,
        data_tone=timer.tone,
    )


def _service_levels() -> rx.Component:
    return rx.flex(
        rx.flex(
            rx.icon("alarm-clock", size=16),
            rx.heading("Service levels", as_="h2", size="3"),
            spacing="2",
            align="center",
        ),
        rx.foreach(DetailState.sla_timers, _timer),
        rx.text(DetailState.sla_rule, size="1", color_scheme="gray"),
        direction="column",
        spacing="3",
    )


def _merged_banner() -> rx.Component:
    target = routes.ticket_url(ticket.merged_into_id)
    return rx.cond(
        ticket.merged_into_id,
        rx.callout.root(
            rx.callout.icon(rx.icon("merge")),
            rx.callout.text(
                "This ticket was merged into ",
                rx.link("#", ticket.merged_into_id, href=target, weight="medium"),
                ". The conversation goes on there.",
            ),
            color_scheme="blue",
            role="status",
        ),
    )


def _conversation() -> rx.Component:
    return section_card(
        "Conversation",
        summary_card(),
        rx.cond(~ticket.merged_into_id, reply_box()),
        rx.separator(size="4"),
        timeline(),
        spacing="4",
        size="3",
    )


def _requester_actions() -> rx.Component:
    return section_card(
        "Status",
        status_badge(ticket.status),
        rx.cond(
            DetailState.can_close,
            rx.button(
                rx.icon("circle-check", size=16),
                "Close this ticket",
                on_click=DetailState.close_ticket,
                variant="soft",
            ),
            rx.cond(
                ticket.merged_into_id,
                rx.text(
                    "Follow it on the ticket it was merged into.", size="2", color_scheme="gray"
                ),
                rx.text("Reply to reopen it.", size="2", color_scheme="gray"),
            ),
        ),
        rx.separator(size="4"),
        _times(),
        spacing="3",
        size="2",
    )


def _conflict_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Someone else changed this"),
            rx.alert_dialog.description(
                "While you were looking, the value was changed to ",
                rx.text(DetailState.conflict_theirs, weight="bold", as_="span"),
                ". Replace it with your choice?",
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep theirs",
                        variant="soft",
                        color_scheme="gray",
                        on_click=DetailState.keep_theirs,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Use mine", color_scheme="red", on_click=DetailState.overwrite)
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=DetailState.conflict_field != "",
    )


def _merge_button(row: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("merge", size=14),
        "Merge…",
        on_click=DuplicatesState.ask_merge(row.id),
        variant="soft",
        size="1",
        type="button",
        aria_label="Merge with #" + row.id.to_string(),
    )


def _merge_by_number() -> rx.Component:
    return rx.form(
        rx.flex(
            field_label("Merge with ticket #", "merge-other"),
            rx.flex(
                rx.input(
                    id="merge-other",
                    name="other",
                    placeholder="e.g. 1042",
                    input_mode="numeric",
                    aria_invalid=rx.cond(DuplicatesState.merge_error, "true", "false"),
                    aria_describedby="merge-error",
                    flex="1",
                ),
                rx.button("Merge…", type="submit", variant="soft"),
                spacing="2",
            ),
            field_error(DuplicatesState.merge_error, "merge-error"),
            direction="column",
            spacing="1",
        ),
        on_submit=DuplicatesState.ask_merge_typed,
        reset_on_submit=False,
    )


def _duplicates() -> rx.Component:
    """Similar tickets, and merging with another (not once this one is merged itself)."""
    return rx.cond(
        ~ticket.merged_into_id,
        rx.card(
            rx.flex(
                similar_list(DuplicatesState.similar, "Similar tickets", action=_merge_button),
                rx.cond(
                    DuplicatesState.similar.length() == 0,
                    rx.text("No similar tickets found.", size="2", color_scheme="gray"),
                ),
                _merge_by_number(),
                direction="column",
                spacing="3",
            ),
            size="2",
        ),
    )


def _cancel_merge() -> rx.Component:
    return rx.alert_dialog.cancel(
        rx.button(
            "Cancel", variant="soft", color_scheme="gray", on_click=DuplicatesState.cancel_merge
        )
    )


def _directions(other: rx.Var[str]) -> rx.Component:
    return rx.flex(
        _cancel_merge(),
        rx.button(
            "Merge #" + other + " into this one",
            on_click=DuplicatesState.confirm_merge("this"),
            loading=DuplicatesState.merging,
            variant="soft",
        ),
        rx.button(
            "Merge this one into #" + other,
            on_click=DuplicatesState.confirm_merge("other"),
            loading=DuplicatesState.merging,
        ),
        spacing="3",
        justify="end",
        wrap="wrap",
        margin_top="var(--space-4)",
    )


def _sharing() -> rx.Component:
    """The merge would show two requesters each other's conversation: say who would read
    what, and merge only when the agent shares it."""
    return rx.flex(
        rx.callout.root(
            rx.callout.icon(rx.icon("users")),
            rx.callout.text(
                rx.text("These tickets have different requesters. ", weight="medium"),
                DuplicatesState.merge_sharing,
            ),
            color_scheme="amber",
            id="merge-sharing",
            margin_top="var(--space-3)",
        ),
        rx.flex(
            _cancel_merge(),
            rx.button(
                "Share and merge",
                on_click=DuplicatesState.confirm_sharing,
                loading=DuplicatesState.merging,
                color_scheme="amber",
            ),
            spacing="3",
            justify="end",
            margin_top="var(--space-4)",
        ),
        direction="column",
    )


def _merge_dialog() -> rx.Component:
    """Which of the two goes on: the other keeps its number and gets the conversation."""
    this, other = ticket.id.to_string(), DuplicatesState.merge_other.to_string()
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Merge #", this, " and #", other),
            rx.alert_dialog.description(
                "#",
                other,
                rx.cond(
                    DuplicatesState.merge_other_title,
                    " “" + DuplicatesState.merge_other_title + "”",
                    "",
                ),
                ". The ticket merged gives its replies and notes to the one kept, marked as "
                "coming from it, and is closed pointing there. A merge cannot be undone.",
            ),
            rx.cond(DuplicatesState.merge_sharing, _sharing(), _directions(other)),
        ),
        open=DuplicatesState.merge_other != 0,
    )


def _ticket() -> rx.Component:
    return rx.grid(
        rx.flex(
            _merged_banner(),
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
                    plain_text(ticket.description_parts),
                    file_list(ticket.files),
                    direction="column",
                    spacing="4",
                ),
                size="3",
            ),
            _conversation(),
            ticket_mail_card(),
            direction="column",
            spacing="4",
            min_width="0",
        ),
        rx.cond(DetailState.can_triage, _triage(), _requester_actions()),
        columns=rx.breakpoints(initial="1", md="2fr 1fr"),
        spacing="5",
        align_items="start",
    )


def _triage() -> rx.Component:
    return rx.flex(
        section_card(
            "Triage",
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
            _assignee(),
            rx.separator(size="4"),
            _times(),
            spacing="4",
            size="2",
        ),
        rx.cond(DetailState.sla_timers, rx.card(_service_levels(), size="2")),
        rx.card(_suggestion(), size="2"),
        _duplicates(),
        direction="column",
        spacing="4",
    )


def _missing() -> rx.Component:
    return empty_state(
        "file-question",
        "Ticket not found",
        "There is no ticket at this address that you may see; it may have been deleted.",
        rx.button(
            rx.link("Back to all tickets", href=routes.TICKETS, underline="none"), as_child=True
        ),
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ticket #" + ticket.id.to_string() + "?"),
            rx.alert_dialog.description(
                "Its conversation and history go with it. This cannot be undone."
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=DetailState.ask_delete(False),
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete ticket", color_scheme="red", on_click=DetailState.delete_ticket
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=DetailState.confirming_delete,
    )


def _delete_button() -> rx.Component:
    return rx.cond(
        DetailState.can_delete & DetailState.found,
        rx.button(
            rx.icon("trash-2", size=16),
            "Delete",
            on_click=DetailState.ask_delete(True),
            variant="soft",
            color_scheme="red",
            high_contrast=True,
        ),
    )


def detail_page() -> rx.Component:
    return page(
        _conflict_dialog(),
        _merge_dialog(),
        _delete_dialog(),
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
        actions=_delete_button(),
    )
