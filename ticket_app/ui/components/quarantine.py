"""`/admin/mail`'s quarantine section: the held messages (received, from, subject, size,
reason), each to reprocess, download as it arrived, or delete after a confirmation."""

import reflex as rx

from ticket_app.ui.components.layout import section_card
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.state.quarantine import QuarantineState
from ticket_app.ui.viewmodels.mail import QuarantineRow

state = QuarantineState


def _row(mail: QuarantineRow) -> rx.Component:
    label = "message " + mail.id.to_string()
    return rx.table.row(
        rx.table.cell(relative_time(mail.received_at)),
        rx.table.cell(
            rx.flex(
                rx.text(mail.subject, weight="medium"),
                rx.text(mail.sender, size="1", color_scheme="gray"),
                rx.text(mail.reason, size="1", color_scheme="amber"),
                direction="column",
            )
        ),
        rx.table.cell(mail.size),
        rx.table.cell(
            rx.flex(
                rx.button(
                    "Reprocess",
                    on_click=state.reprocess(mail.id.to_string()),
                    size="1",
                    variant="soft",
                    aria_label="Reprocess " + label,
                ),
                rx.el.a(
                    "Download",
                    # Not a page of the app: the browser itself fetches the file.
                    href=mail.href,
                    download=True,
                    custom_attrs={"reloadDocument": True},
                    color="var(--accent-11)",
                    font_size="var(--font-size-1)",
                    aria_label="Download " + label,
                ),
                rx.button(
                    "Delete…",
                    on_click=state.ask_delete(mail.id.to_string()),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Delete " + label,
                ),
                spacing="2",
                align="center",
            )
        ),
        data_testid="quarantined",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete message " + state.deleting.to_string() + "?"),
            rx.alert_dialog.description(
                "The message is deleted for good, with its original. This cannot be undone."
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=state.cancel_delete
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Delete message", color_scheme="red", on_click=state.confirm_delete)
                ),
                spacing="3",
                justify="end",
                margin_top="var(--space-4)",
            ),
        ),
        open=state.deleting != 0,
    )


def quarantine_section() -> rx.Component:
    return section_card(
        "Quarantine",
        _delete_dialog(),
        rx.text(
            "Received mail held for an admin: too large, unreadable, or over a rate cap. "
            "Reprocessing runs it through again without the size limit and the caps.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(state.held_error, rx.text(state.held_error, size="2", color_scheme="red")),
        rx.cond(
            state.held,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(title)
                            for title in ("Received", "Message", "Size", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(state.held, _row)),
                variant="surface",
            ),
            rx.text("Nothing is held.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            state.held_more,
            rx.button("Older messages", on_click=state.show_more_held, variant="soft"),
        ),
    )
