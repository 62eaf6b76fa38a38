"""Times shown in the agent's own time zone, computed in the browser from ISO 8601 strings."""

import reflex as rx

EXACT_FORMAT = "YYYY-MM-DD HH:mm:ss Z"


def relative_time(iso: rx.Var[str]) -> rx.Component:
    """'5 minutes ago', ticking every minute, with the exact time on hover."""
    return rx.moment(
        iso,
        from_now=True,
        with_title=True,
        title_format=EXACT_FORMAT,
        interval=60_000,
    )


def exact_time(iso: rx.Var[str]) -> rx.Component:
    """'2025-11-23 14:05' in local time, then 'a minute ago'."""
    return rx.text(
        rx.moment(iso, format="YYYY-MM-DD HH:mm", with_title=True, title_format=EXACT_FORMAT),
        " (",
        rx.moment(iso, from_now=True, interval=60_000),
        ")",
        as_="span",
    )
