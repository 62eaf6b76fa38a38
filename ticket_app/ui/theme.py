"""The look of the app in one place: the Radix theme, the colour of every value, and sizes.

Badges, selects and charts all read these maps, so a value has the same colour everywhere.
"""

import reflex as rx

from ticket_app.domain import Category, Priority, Status

PRODUCT_NAME = "Support Desk"
ACCENT = "indigo"
CONTENT_MAX_WIDTH = "72rem"

CATEGORY_COLORS: dict[str, str] = {
    Category.BILLING: "jade",
    Category.TECHNICAL: "blue",
    Category.ACCOUNT: "purple",
    Category.GENERAL: "bronze",
}
PRIORITY_COLORS: dict[str, str] = {
    Priority.LOW: "gray",
    Priority.MEDIUM: "amber",
    Priority.HIGH: "orange",
    Priority.CRITICAL: "red",
}
STATUS_COLORS: dict[str, str] = {
    Status.OPEN: "cyan",
    Status.IN_PROGRESS: "violet",
    Status.RESOLVED: "grass",
    Status.CLOSED: "gray",
}


def app_theme() -> rx.Component:
    """The Radix theme every page renders in (light, indigo accent, slate greys)."""
    return rx.theme(
        appearance="light",
        accent_color=ACCENT,
        gray_color="slate",
        radius="medium",
        scaling="100%",
    )


GLOBAL_STYLE: dict[str, dict[str, str]] = {
    # A visible focus ring for keyboard users on every interactive element.
    ":focus-visible": {"outline": f"2px solid var(--{ACCENT}-8)", "outline_offset": "2px"},
}
