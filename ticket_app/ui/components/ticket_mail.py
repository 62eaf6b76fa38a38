"""The ticket page's mail panel, for staff only: "Arrived by mail from ..." with the original
message to download, and the thread of every message received or sent for the ticket, each
with its direction, sender and recipient, time, subject, and how a received one was threaded
or where a sent one stands. Everything is text (React escapes it); nothing of a mail renders."""

import reflex as rx

from ticket_app.ui.components.times import exact_time, relative_time
from ticket_app.ui.state.ticket_mail import TicketMailState
from ticket_app.ui.viewmodels.ticket_mail import MailLine

state = TicketMailState


def _raw_link(href: rx.Var[str], label: str) -> rx.Component:
    return rx.el.a(
        rx.flex(rx.icon("file-down", size=14, aria_hidden="true"), label, spacing="1"),
        # Not a page of the app: the browser itself fetches the file, with its session.
        href=href,
        download=True,
        custom_attrs={"reloadDocument": True},
        color="var(--accent-11)",
        font_size="var(--font-size-2)",
        width="fit-content",
    )


def _origin() -> rx.Component:
    origin = state.origin
    return rx.cond(
        origin.sender,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail")),
            rx.flex(
                rx.callout.text(
                    "Arrived by mail from ",
                    rx.text(origin.sender, weight="medium", as_="span"),
                    " on ",
                    exact_time(origin.at),
                ),
                _raw_link(origin.href, "Original message (.eml)"),
                direction="column",
                spacing="1",
            ),
            color_scheme="blue",
            id="mail-origin",
        ),
    )


def _line(mail: MailLine) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.flex(
                rx.badge(
                    rx.icon(rx.cond(mail.inbound, "inbox", "send"), size=12, aria_hidden="true"),
                    mail.direction,
                    color_scheme=rx.cond(mail.inbound, "blue", "violet"),
                    variant="soft",
                ),
                rx.badge(mail.state_label, color_scheme=mail.tone, variant="surface"),
                rx.cond(mail.kind, rx.text(mail.kind, size="1", color_scheme="gray")),
                rx.text(relative_time(mail.at), size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(mail.subject, size="2", weight="medium"),
            rx.text("From ", mail.sender, " to ", mail.recipient, size="1", color_scheme="gray"),
            rx.cond(
                mail.note,
                rx.text(
                    mail.note,
                    size="1",
                    color_scheme=rx.cond(mail.inbound, "gray", "red"),
                    data_testid="mail-note",
                ),
            ),
            rx.cond(mail.href, _raw_link(mail.href, "Original (.eml)")),
            direction="column",
            spacing="1",
            padding="var(--space-2)",
            border="1px solid var(--gray-a4)",
            border_radius="var(--radius-3)",
        ),
        list_style="none",
    )


def ticket_mail_card() -> rx.Component:
    """The panel; nothing at all for requesters or a ticket without mail."""
    return rx.cond(
        state.can_read_all & (state.mail_lines.length() > 0),
        rx.card(
            rx.flex(
                rx.flex(
                    rx.heading("Mail", as_="h2", size="3"),
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Refresh",
                        on_click=state.load,
                        variant="ghost",
                        size="1",
                    ),
                    justify="between",
                    align="center",
                ),
                _origin(),
                rx.el.ul(
                    rx.foreach(state.mail_lines, _line),
                    display="flex",
                    flex_direction="column",
                    gap="var(--space-2)",
                    padding="0",
                    margin="0",
                    aria_label="Mail thread, oldest first",
                ),
                direction="column",
                spacing="3",
            ),
            size="2",
            id="ticket-mail",
        ),
    )
