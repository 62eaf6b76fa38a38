"""Labelled form controls: every control has a visible label tied to it by id, so it can be
reached and named by keyboard and screen-reader users (and found by label in tests)."""

from typing import Any

import reflex as rx
from reflex.components.el.elements.base import BaseHTML

from ticket_app.ui.components.badges import value_color


def field_label(text: str, html_for: str, *extra: rx.Component) -> rx.Component:
    """A label line: the label text, then optional marks (spinner, suggestion) on its right."""
    return rx.flex(
        rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for),
        *extra,
        align="center",
        spacing="2",
        wrap="wrap",
        min_height="1.5rem",
    )


def field_error(message: rx.Var[str], error_id: str) -> rx.Component:
    """An inline validation message, announced to screen readers when it appears."""
    return rx.cond(
        message,
        rx.text(
            rx.icon(
                "circle-alert",
                size=14,
                aria_hidden="true",
                display="inline",
                margin_right="var(--space-1)",
            ),
            message,
            id=error_id,
            size="1",
            color_scheme="red",
            role="alert",
        ),
    )


def form_field(
    label: str, control_id: str, control: rx.Component, error: rx.Var[str], **props: object
) -> rx.Component:
    """A form's labelled control with its message under it (the account and users forms)."""
    return rx.flex(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=control_id),
        control,
        rx.cond(error, rx.text(error, size="1", color_scheme="red", role="alert")),
        direction="column",
        spacing="1",
        **props,
    )


def choice_select(
    control_id: str,
    value: rx.Var[str],
    on_change: Any,
    options: dict[str, str],
    *,
    placeholder: str = "",
    colors: dict[str, str] | None = None,
    extra_items: tuple[rx.Component, ...] = (),
    **trigger_props: Any,
) -> rx.Component:
    """A select over labelled values; the trigger takes the value's colour when given one."""
    if colors is not None:
        trigger_props.setdefault("color_scheme", value_color(value, colors))
        trigger_props.setdefault("variant", "soft")
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, id=control_id, **trigger_props),
        rx.select.content(
            *extra_items,
            *[rx.select.item(label, value=key) for key, label in options.items()],
            position="popper",
        ),
        value=value,
        on_change=on_change,
    )


class PostForm(BaseHTML):
    """A plain HTML form that the browser itself submits (a real POST and page load).

    Reflex's own form always prevents the browser's submit to send a websocket event; the
    sign-in, setup and sign-out forms need the browser to post them, so the server's answer
    can set or clear the HttpOnly session cookie.
    """

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


post_form = PostForm.create


def native_select(
    control_id: rx.Var[str] | str,
    value: rx.Var[str],
    on_change: Any,
    options: dict[str, str],
    *,
    aria_label: rx.Var[str] | str,
    colors: dict[str, str] | None = None,
    more: rx.Component | None = None,
) -> rx.Component:
    """The browser's own `<select>`, for controls repeated on every row of a list: it costs a
    DOM element instead of a composed component (the Radix select renders its whole item list
    into a hidden fragment even while closed). With `colors` it takes the value's colour
    (`data-color`, drawn by assets/desk.css without a style object per render)."""
    return rx.el.select(
        *[rx.el.option(label, value=key) for key, label in options.items()],
        *([more] if more is not None else []),
        id=control_id,
        value=value,
        on_change=on_change,
        aria_label=aria_label,
        class_name="native-select",
        data_color=value_color(value, colors) if colors is not None else "gray",
    )
