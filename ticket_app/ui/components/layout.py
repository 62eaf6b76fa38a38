"""The frame of every page: a top bar with the product name and navigation, then the content
in a centred column that narrows down to a phone's width."""

import reflex as rx

from ticket_app.ui.theme import ACCENT, CONTENT_MAX_WIDTH, PRODUCT_NAME

NAV_ITEMS = (
    ("/", "New ticket", "circle-plus"),
    ("/tickets", "Tickets", "list"),
    ("/dashboard", "Dashboard", "chart-column"),
)


def _is_current(route: str) -> rx.Var[bool]:
    """Whether the page shown is `route` or below it (a ticket is under Tickets)."""
    route_id = rx.State.router.route_id
    if route == "/":
        return route_id == "/index"  # Reflex's route id of the index page
    return (route_id == route) | route_id.startswith(route + "/")


def _nav_link(route: str, label: str, icon: str) -> rx.Component:
    """Icon and text; on a phone only the icon shows, and the link keeps its name for readers."""
    current = _is_current(route)
    return rx.link(
        rx.flex(
            rx.icon(icon, size=18, aria_hidden="true"),
            rx.text(label, display=["none", "inline"], size="2", weight="medium"),
            align="center",
            spacing="2",
        ),
        href=route,
        aria_label=label,
        title=label,
        aria_current=rx.cond(current, "page", "false"),
        underline="none",
        color_scheme=rx.cond(current, ACCENT, "gray"),
        high_contrast=~current,
        padding_x="var(--space-3)",
        padding_y="var(--space-2)",
        border_radius="var(--radius-3)",
        background_color=rx.cond(current, f"var(--{ACCENT}-a3)", "transparent"),
        _hover={"background_color": f"var(--{ACCENT}-a4)"},
    )


def new_ticket_button() -> rx.Component:
    """A link that looks like a button (one tab stop, not a button inside a link)."""
    return rx.button(
        rx.link(rx.icon("circle-plus", size=16), "New ticket", href="/", underline="none"),
        as_child=True,
    )


def navbar() -> rx.Component:
    return rx.el.header(
        rx.flex(
            rx.link(
                rx.flex(
                    rx.center(
                        rx.icon("life-buoy", size=20, color="white", aria_hidden="true"),
                        background_color=f"var(--{ACCENT}-9)",
                        border_radius="var(--radius-3)",
                        padding="var(--space-1)",
                    ),
                    rx.text(PRODUCT_NAME, size="4", weight="bold", high_contrast=True),
                    align="center",
                    spacing="2",
                ),
                href="/",
                underline="none",
                color_scheme="gray",
                aria_label=f"{PRODUCT_NAME}: new ticket",
            ),
            rx.el.nav(
                rx.flex(*[_nav_link(*item) for item in NAV_ITEMS], spacing="1"),
                aria_label="Main",
            ),
            justify="between",
            align="center",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=["var(--space-3)", "var(--space-5)"],
            padding_y="var(--space-2)",
            spacing="3",
        ),
        position="sticky",
        top="0",
        z_index="10",
        background_color="var(--color-panel-solid)",
        border_bottom="1px solid var(--gray-a5)",
    )


def page(
    *children: rx.Component,
    heading: str | rx.Var[str],
    description: str = "",
    actions: rx.Component | None = None,
    above: rx.Component | None = None,
) -> rx.Component:
    """A page: the bar, a heading with an optional line of help (and a back link `above`
    it), actions, then the content."""
    header = rx.flex(
        rx.box(
            above or rx.fragment(),
            rx.heading(heading, as_="h1", size=rx.breakpoints(initial="6", sm="7")),
            rx.text(description, color_scheme="gray", size="2", margin_top="var(--space-1)")
            if description
            else rx.fragment(),
        ),
        actions or rx.fragment(),
        justify="between",
        align="end",
        spacing="3",
        wrap="wrap",
    )
    return rx.box(
        navbar(),
        rx.el.main(
            rx.flex(header, *children, direction="column", spacing="5"),
            id="main",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=["var(--space-3)", "var(--space-5)"],
            padding_y=["var(--space-4)", "var(--space-6)"],
        ),
        min_height="100vh",
        background_color="var(--gray-2)",
    )
