"""`/`: the submit form, with the classifier's suggestion filling category and priority."""

import reflex as rx

from ticket_app.domain import TITLE_MAX_LENGTH
from ticket_app.ui import routes
from ticket_app.ui.components.attachments import too_much, upload_zone
from ticket_app.ui.components.badges import value_label
from ticket_app.ui.components.fields import choice_select, field_error, field_label
from ticket_app.ui.components.layout import page, section_card
from ticket_app.ui.components.similar import similar_list
from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS
from ticket_app.ui.state.form import SUGGEST_MIN_CHARS, TICKET_FILES, FormState
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS

# The classifier is asked at most once per pause in typing this long.
DESCRIPTION_DEBOUNCE_MS = 600


def _created_callout() -> rx.Component:
    ticket_url = routes.ticket_url(FormState.created_id)
    return rx.cond(
        FormState.created_id,
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check")),
            rx.flex(
                rx.callout.text(
                    "Ticket #",
                    FormState.created_id,
                    " “",
                    FormState.created_title,
                    "” was created.",
                ),
                rx.flex(
                    rx.link("Open it", href=ticket_url, weight="medium"),
                    rx.link("See all tickets", href=routes.TICKETS, weight="medium"),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        on_click=FormState.dismiss_created,
                        variant="ghost",
                        size="1",
                        aria_label="Dismiss",
                        type="button",
                    ),
                    spacing="4",
                    align="center",
                ),
                justify="between",
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            color_scheme="green",
            role="status",
        ),
    )


def _suggestion_mark(
    value: rx.Var[str],
    overridden: rx.Var[bool],
    suggested: rx.Var[str],
    labels: dict[str, str],
    use_suggestion: rx.event.EventHandler,
) -> rx.Component:
    """Beside a choice: a spinner while the model works, then who suggested the value, or
    'your choice' with a way back to the suggestion when the agent picked something else."""
    suggested_label = value_label(suggested, labels)
    return rx.cond(
        overridden,
        rx.flex(
            rx.badge(rx.icon("user", size=12), "Your choice", color_scheme="gray", variant="soft"),
            rx.cond(
                suggested & (suggested != value),
                rx.button(
                    "Use suggestion: ",
                    suggested_label,
                    on_click=use_suggestion,
                    variant="ghost",
                    size="1",
                    type="button",
                ),
            ),
            spacing="2",
            align="center",
        ),
        rx.cond(
            FormState.classifying,
            rx.flex(
                rx.spinner(size="1"),
                rx.text("Suggesting…", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
                role="status",
            ),
            rx.cond(
                FormState.suggestion_note,
                rx.badge(
                    rx.icon("sparkles", size=12),
                    FormState.suggestion_note,
                    color_scheme=rx.cond(FormState.suggestion_unsure, "amber", "violet"),
                    variant="soft",
                ),
            ),
        ),
    )


def _choice_field(
    field: str,
    label: str,
    value: rx.Var[str],
    overridden: rx.Var[bool],
    suggested: rx.Var[str],
    labels: dict[str, str],
    colors: dict[str, str],
    on_change: rx.event.EventHandler,
    use_suggestion: rx.event.EventHandler,
) -> rx.Component:
    return rx.flex(
        field_label(
            label,
            field,
            _suggestion_mark(value, overridden, suggested, labels, use_suggestion),
        ),
        choice_select(
            field,
            value,
            on_change,
            labels,
            placeholder="Suggested from the description",
            colors=colors,
            width="100%",
        ),
        direction="column",
        spacing="1",
        flex="1",
        min_width="12rem",
    )


def _title_field() -> rx.Component:
    """The title, with its length against the limit beside the label."""
    title_too_long = FormState.title.length() > TITLE_MAX_LENGTH
    return rx.flex(
        rx.flex(
            field_label("Title", "title"),
            rx.text(
                FormState.title.length(),
                f" / {TITLE_MAX_LENGTH}",
                size="1",
                color_scheme=rx.cond(title_too_long, "red", "gray"),
                aria_hidden="true",
            ),
            justify="between",
            align="center",
        ),
        rx.input(
            id="title",
            name="title",
            value=FormState.title,
            on_change=FormState.set_title,
            on_blur=FormState.title_done,
            placeholder="A short summary, e.g. “Invoice charged twice”",
            size="3",
            aria_invalid=rx.cond(FormState.title_error, "true", "false"),
            aria_describedby="title-error",
            read_only=FormState.submitting,
        ),
        field_error(FormState.title_error, "title-error"),
        direction="column",
        spacing="1",
    )


def _description_field() -> rx.Component:
    """The description; what it says decides the suggestion (debounced)."""
    return rx.flex(
        field_label("Description", "description"),
        rx.debounce_input(
            rx.text_area(
                id="description",
                name="description",
                on_change=FormState.set_description,
                placeholder="What happened, what was expected, and any error text.",
                rows="7",
                size="3",
                resize="vertical",
                aria_invalid=rx.cond(FormState.description_error, "true", "false"),
                aria_describedby="description-help description-error",
                read_only=FormState.submitting,
            ),
            value=FormState.description,
            debounce_timeout=DESCRIPTION_DEBOUNCE_MS,
        ),
        rx.text(
            rx.cond(
                FormState.can_classify,
                f"Category and priority are suggested once the description has "
                f"{SUGGEST_MIN_CHARS} characters or more. You can change either.",
                "Say what happened and what you expected; error messages help.",
            ),
            id="description-help",
            size="1",
            color_scheme="gray",
        ),
        field_error(FormState.description_error, "description-error"),
        direction="column",
        spacing="1",
    )


def _similar() -> rx.Component:
    """The tickets like the draft, announced as they change."""
    return rx.box(
        similar_list(
            FormState.similar,
            rx.cond(
                FormState.can_read_all,
                "Similar tickets",
                "You may have asked about this already",
            ),
            new_tab=True,  # the draft stays where it is
        ),
        aria_live="polite",
    )


def _triage_choices() -> rx.Component:
    """Category and priority for those who triage; the others are told the desk sets them."""
    return rx.cond(
        FormState.can_triage,
        rx.flex(
            _choice_field(
                "category",
                "Category",
                FormState.category,
                FormState.category_overridden,
                FormState.suggested_category,
                CATEGORY_LABELS,
                CATEGORY_COLORS,
                FormState.set_category,
                FormState.use_suggested_category,
            ),
            _choice_field(
                "priority",
                "Priority",
                FormState.priority,
                FormState.priority_overridden,
                FormState.suggested_priority,
                PRIORITY_LABELS,
                PRIORITY_COLORS,
                FormState.set_priority,
                FormState.use_suggested_priority,
            ),
            spacing="4",
            wrap="wrap",
        ),
        rx.text(
            "The desk sets the category and the priority from what you describe.",
            size="2",
            color_scheme="gray",
        ),
    )


def _submit_row() -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("send", size=16),
            "Create ticket",
            type="submit",
            size="3",
            loading=FormState.submitting | FormState.uploading,
            disabled=too_much(FormState, TICKET_FILES),
        ),
        rx.cond(
            FormState.can_triage,
            rx.text(
                "Left empty, category and priority are set by the classifier.",
                size="1",
                color_scheme="gray",
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.flex(
            _title_field(),
            _description_field(),
            _similar(),
            upload_zone(FormState, TICKET_FILES, paste_target="description"),
            _triage_choices(),
            _submit_row(),
            direction="column",
            spacing="5",
        ),
        on_submit=lambda form_data: FormState.submit_with_files(
            rx.upload_files(upload_id=TICKET_FILES, on_upload_progress=FormState.upload_progressed),
            form_data,
        ),
        reset_on_submit=False,
        aria_label="New ticket",
    )


def _help() -> rx.Component:
    steps = (
        ("pencil-line", "Describe the problem", "A title and a description are all it needs."),
        (
            "sparkles",
            "Get a suggestion",
            "Gemini (or the offline model) proposes a category and a priority as you type.",
        ),
        ("user-check", "Keep or change it", "Your own choice is never overwritten."),
        ("list", "Triage", "Find the ticket under Tickets; the Dashboard updates live."),
    )
    return section_card(
        "How it works",
        *[
            rx.flex(
                rx.icon(icon, size=18, color="var(--accent-9)", flex_shrink="0"),
                rx.box(
                    rx.text(title, size="2", weight="medium"),
                    rx.text(text, size="2", color_scheme="gray"),
                ),
                spacing="3",
            )
            for icon, title, text in steps
        ],
        spacing="4",
        variant="surface",
    )


def submit_page() -> rx.Component:
    return page(
        _created_callout(),
        rx.grid(
            rx.card(_form(), size=rx.breakpoints(initial="2", sm="3")),
            rx.cond(FormState.can_classify, _help()),
            columns=rx.breakpoints(initial="1", md="3fr 1fr"),
            spacing="5",
            align_items="start",
        ),
        heading="New ticket",
        description="Tell us what went wrong; we suggest how to file it.",
    )
