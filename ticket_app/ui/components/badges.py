"""Colour-coded badges for category, priority and status, the same colours on every page."""

import reflex as rx

from ticket_app.ui.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ticket_app.ui.theme import CATEGORY_COLORS, PRIORITY_COLORS, STATUS_COLORS


def value_label(value: rx.Var[str], labels: dict[str, str]) -> rx.Var[str]:
    """The human label of a stored value, computed in the browser."""
    return rx.match(value, *labels.items(), value)


def value_color(value: rx.Var[str], colors: dict[str, str]) -> rx.Var[str]:
    return rx.match(value, *colors.items(), "gray")


def _badge(
    value: rx.Var[str], labels: dict[str, str], colors: dict[str, str], icon: str
) -> rx.Component:
    return rx.badge(
        rx.icon(icon, size=12, aria_hidden="true"),
        value_label(value, labels),
        color_scheme=value_color(value, colors),
        variant="soft",
        high_contrast=True,  # the soft colours' own text fails WCAG contrast on a card (axe)
        radius="full",
        size="2",
    )


def category_badge(value: rx.Var[str]) -> rx.Component:
    return _badge(value, CATEGORY_LABELS, CATEGORY_COLORS, "tag")


def priority_badge(value: rx.Var[str]) -> rx.Component:
    return _badge(value, PRIORITY_LABELS, PRIORITY_COLORS, "signal")


def status_badge(value: rx.Var[str]) -> rx.Component:
    return _badge(value, STATUS_LABELS, STATUS_COLORS, "circle-dot")


def due_badge(state: rx.Var[str], due_at: rx.Var[str]) -> rx.Component:
    """The service-level badge of a row or card: red once overdue, amber within the hour."""
    return rx.match(
        state,
        ("overdue", _due("Overdue", "red", due_at)),
        ("soon", _due("Due within the hour", "amber", due_at)),
        rx.fragment(),
    )


def _due(label: str, color: str, due_at: rx.Var[str]) -> rx.Component:
    return rx.badge(
        rx.icon("alarm-clock", size=12, aria_hidden="true"),
        label,
        color_scheme=color,
        variant="solid" if color == "red" else "soft",
        high_contrast=color != "red",
        radius="full",
        size="2",
        title="Service-level due time: " + due_at,
        data_testid="due-badge",
        data_due=color,
    )
