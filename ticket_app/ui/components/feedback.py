"""Empty, loading and failure states, so a page always says what is going on and what to do."""

from typing import Any

import reflex as rx


def empty_state(
    icon: str, title: str, text: str | rx.Var[str], *actions: rx.Component
) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.center(
                rx.icon(icon, size=28, aria_hidden="true"),
                color="var(--accent-11)",
                background_color="var(--accent-a3)",
                border_radius="9999px",
                width="56px",
                height="56px",
            ),
            rx.heading(title, as_="h2", size="4"),
            rx.text(text, color_scheme="gray", size="2", text_align="center", max_width="28rem"),
            rx.flex(*actions, spacing="3", wrap="wrap", justify="center"),
            direction="column",
            align="center",
            spacing="3",
            padding_y="var(--space-6)",
        ),
        size="3",
    )


def error_callout(message: rx.Var[str], on_retry: Any) -> rx.Component:
    """A failure the agent can retry (the database was unreachable, say)."""
    return rx.cond(
        message,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.flex(
                rx.callout.text(message),
                rx.button(
                    "Try again", on_click=on_retry, size="1", variant="soft", color_scheme="red"
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            color_scheme="red",
            role="alert",
        ),
    )


def warning_callout(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message,
        rx.callout(message, icon="info", color_scheme="amber", size="1", role="status"),
    )


def loading(label: str) -> rx.Component:
    return rx.center(
        rx.flex(
            rx.spinner(size="3"), rx.text(label, color_scheme="gray"), spacing="3", align="center"
        ),
        padding_y="var(--space-8)",
        role="status",
    )
