"""`/admin/mail`: the outbox, one mail opened as it would go out, bounced addresses, and the
quarantine of received mail (`components/quarantine.py`).

A mail's HTML part is never rendered as markup of the desk's origin: it is shown in an iframe
with `srcdoc` and an empty `sandbox` (no scripts, no forms, an origin of its own), and as its
source, which React prints as text.
"""

import reflex as rx

from ticket_app.ui.components.feedback import error_callout, loading
from ticket_app.ui.components.layout import page, section_card
from ticket_app.ui.components.quarantine import quarantine_section
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import MAIL_STATE_LABELS
from ticket_app.ui.state.mail_admin import MailAdminState

STATE_COLORS = {"queued": "amber", "sending": "blue", "sent": "grass", "failed": "red"}


def _filter() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("All", value="all"),
        *[rx.segmented_control.item(label, value=key) for key, label in MAIL_STATE_LABELS.items()],
        value=rx.cond(MailAdminState.state_filter, MailAdminState.state_filter, "all"),
        on_change=MailAdminState.show_state,
        aria_label="Show mails",
    )


def _mail(mail: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.badge(
                mail.state_label,
                color_scheme=rx.match(mail.state, *STATE_COLORS.items(), "gray"),
            )
        ),
        rx.table.cell(
            rx.flex(
                rx.text(mail.subject, weight="medium"),
                rx.text(mail.recipient, size="1", color_scheme="gray"),
                rx.cond(
                    mail.last_error,
                    rx.text(mail.last_error, size="1", color_scheme="red"),
                ),
                direction="column",
            )
        ),
        rx.table.cell(relative_time(mail.created_at)),
        rx.table.cell(mail.attempts),
        rx.table.cell(
            rx.flex(
                rx.button(
                    "Open",
                    on_click=MailAdminState.open_mail(mail.id.to_string()),
                    size="1",
                    variant="soft",
                    aria_label="Open the mail " + mail.subject,
                ),
                rx.cond(
                    mail.failed,
                    rx.button(
                        "Retry",
                        on_click=MailAdminState.retry(mail.id.to_string()),
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        aria_label="Send the mail " + mail.subject + " again",
                    ),
                ),
                spacing="2",
            )
        ),
    )


def _outbox() -> rx.Component:
    return section_card(
        "Outbox",
        _filter(),
        rx.cond(
            MailAdminState.mails,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(title)
                            for title in ("State", "Mail", "Written", "Tries", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(MailAdminState.mails, _mail)),
                variant="surface",
            ),
            rx.text("No mail here.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            MailAdminState.has_more,
            rx.button("Older mail", on_click=MailAdminState.show_more, variant="soft"),
        ),
    )


def _header(header: rx.Var) -> rx.Component:
    return rx.text(rx.text(header["name"] + ": ", weight="bold", as_="span"), header["value"])


def _opened() -> rx.Component:
    shown = MailAdminState.shown
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("The mail as it would go out"),
            rx.flex(
                rx.box(rx.foreach(shown.headers, _header), font_size="var(--font-size-1)"),
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Text", value="text"),
                        rx.tabs.trigger("HTML", value="html"),
                        rx.tabs.trigger("HTML source", value="source"),
                    ),
                    rx.tabs.content(
                        rx.el.pre(shown.text, white_space="pre-wrap", id="mail-text"),
                        value="text",
                    ),
                    rx.tabs.content(
                        rx.el.iframe(
                            src_doc=shown.html,
                            sandbox="",
                            title="The HTML part, in a sandbox",
                            width="100%",
                            height="400px",
                            border="1px solid var(--gray-a5)",
                        ),
                        value="html",
                    ),
                    rx.tabs.content(
                        rx.el.pre(shown.html, white_space="pre-wrap", id="mail-source"),
                        value="source",
                    ),
                    default_value="text",
                ),
                rx.flex(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                ),
                direction="column",
                spacing="3",
            ),
            max_width="48rem",
        ),
        open=shown.id != 0,
        on_open_change=lambda _open: MailAdminState.close_mail(),
    )


def _person(person: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.flex(
                rx.text(person.name, weight="medium"),
                rx.text(person.email, size="1", color_scheme="gray"),
                direction="column",
            )
        ),
        rx.table.cell(relative_time(person.bounced_at)),
        rx.table.cell(
            rx.button(
                "Send mail again",
                on_click=MailAdminState.clear_bounce(person.id.to_string()),
                size="1",
                variant="soft",
                aria_label="Send mail to " + person.email + " again",
            )
        ),
    )


def _bounced() -> rx.Component:
    return section_card(
        "Bounced addresses",
        rx.text(
            "Mail to these people bounced for good, so the desk sends them none. Once their "
            "address is fixed, let mail go to them again.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            MailAdminState.bounced,
            rx.table.root(
                rx.table.body(rx.foreach(MailAdminState.bounced, _person)), variant="surface"
            ),
            rx.text("None.", size="2", color_scheme="gray"),
        ),
    )


def mail_page() -> rx.Component:
    return page(
        _opened(),
        error_callout(MailAdminState.error, MailAdminState.load),
        rx.cond(
            MailAdminState.loaded,
            rx.flex(_outbox(), _bounced(), quarantine_section(), direction="column", spacing="5"),
            rx.cond(MailAdminState.error, rx.fragment(), loading("Loading mail…")),
        ),
        heading="Mail",
        description="What the desk sends, what did not go out, and received mail held back.",
    )
