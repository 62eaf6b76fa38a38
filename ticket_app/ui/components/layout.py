"""The frame of every page: a top bar with the product name, the navigation the viewer's role
allows (`routes.NAV_PAGES`), the bell of unread notifications, who is signed in and a sign-out
button; then the content in a centred column that narrows down to a phone's width. The public
pages (sign-in, setup) use `bare_page`."""

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.components.fields import post_form
from ticket_app.ui.components.times import relative_time
from ticket_app.ui.labels import ROLE_LABELS
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.theme import ACCENT, CONTENT_MAX_WIDTH, PRODUCT_NAME


def _is_current(route: str) -> rx.Var[bool]:
    """Whether the page shown is `route` or below it (a ticket is under Tickets)."""
    route_id = rx.State.router.route_id
    if route == routes.HOME:
        return route_id == "/index"  # Reflex's route id of the index page
    return (route_id == route) | route_id.startswith(route + "/")


def _nav_link(page: routes.Page) -> rx.Component:
    """Icon and text; on a phone only the icon shows, and the link keeps its name for readers.
    Shown when the viewer's permission flag allows (the pages check again on the server)."""
    link = _link(page.route, page.title, page.icon)
    if page.shown_if:
        return rx.cond(getattr(SessionState, page.shown_if), link)
    return link


def _link(route: str, label: str, icon: str) -> rx.Component:
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
        padding_x=["var(--space-2)", "var(--space-3)"],
        padding_y="var(--space-2)",
        border_radius="var(--radius-3)",
        background_color=rx.cond(current, f"var(--{ACCENT}-a3)", "transparent"),
        _hover={"background_color": f"var(--{ACCENT}-a4)"},
    )


def new_ticket_button() -> rx.Component:
    """A link that looks like a button (one tab stop, not a button inside a link)."""
    return rx.button(
        rx.link(rx.icon("circle-plus", size=16), "New ticket", href=routes.HOME, underline="none"),
        as_child=True,
    )


def _bell_line(line: rx.Var) -> rx.Component:
    """One unread notification: a link to its ticket (opening it marks it read). A plain
    `a` element: the menu item lends it its role and keyboard handling (`as_child`), which
    needs a single element child, and `rx.link` is not one."""
    return rx.menu.item(
        rx.el.a(
            rx.flex(
                rx.text(line.text, size="2"),
                rx.text(relative_time(line.at), size="1", color_scheme="gray"),
                direction="column",
            ),
            href=line.href,
            style={"text_decoration": "none", "color": "inherit"},
        ),
        as_child=True,
        height="auto",
        padding_y="var(--space-2)",
    )


def _bell() -> rx.Component:
    """The bell: how many notifications are unread, and the newest of them in a menu."""
    count = SessionState.bell_count
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("bell", size=18, aria_hidden="true"),
                rx.cond(count, rx.badge(count, color_scheme="red", variant="solid", size="1")),
                variant="ghost",
                color_scheme="gray",
                aria_label=rx.cond(
                    count, "Notifications, " + count + " unread", "Notifications, none unread"
                ),
                id="bell",
            )
        ),
        rx.menu.content(
            rx.cond(
                SessionState.bell_lines,
                rx.foreach(SessionState.bell_lines, _bell_line),
                rx.menu.item("Nothing new.", disabled=True),
            ),
            max_width="22rem",
        ),
    )


def _viewer() -> rx.Component:
    """Who is signed in (a link to their account page), and the sign-out form: a real post,
    so the browser reloads without the session cookie."""
    role = rx.match(SessionState.viewer_role, *ROLE_LABELS.items(), "").to(str)
    return rx.flex(
        _bell(),
        rx.link(
            rx.flex(
                rx.icon("circle-user", size=18, aria_hidden="true"),
                rx.text(SessionState.viewer_name, size="2", display=["none", "none", "inline"]),
                " ",  # so the visible text reads "name role", as the accessible name says
                rx.badge(
                    role, variant="soft", color_scheme="gray", display=["none", "inline-flex"]
                ),
                align="center",
                spacing="2",
            ),
            href=routes.ACCOUNT,
            underline="none",
            color_scheme="gray",
            high_contrast=True,
            # It holds the visible text, name then role, as WCAG 2.5.3 asks.
            aria_label="Signed in as " + SessionState.viewer_name + " " + role + ", account",
            title="Signed in as " + SessionState.viewer_email,
        ),
        post_form(
            rx.button(
                rx.icon("log-out", size=16),
                rx.text("Sign out", display=["none", "inline"]),
                type="submit",
                variant="soft",
                color_scheme="gray",
                size="1",
                aria_label="Sign out",
            ),
            action="/auth/sign-out",
            method="post",
        ),
        align="center",
        spacing="3",
    )


def _brand() -> rx.Component:
    return rx.link(
        rx.flex(
            rx.center(
                rx.icon("life-buoy", size=20, color="white", aria_hidden="true"),
                background_color=f"var(--{ACCENT}-9)",
                border_radius="var(--radius-3)",
                padding="var(--space-1)",
            ),
            rx.text(
                PRODUCT_NAME,
                size="4",
                weight="bold",
                high_contrast=True,
                display=["none", "inline"],
            ),
            align="center",
            spacing="2",
        ),
        href=routes.HOME,
        underline="none",
        color_scheme="gray",
        aria_label=f"{PRODUCT_NAME}: new ticket",
    )


def navbar() -> rx.Component:
    return rx.el.header(
        rx.flex(
            _brand(),
            rx.el.nav(
                rx.flex(*[_nav_link(page) for page in routes.NAV_PAGES], spacing="1"),
                aria_label="Main",
            ),
            _viewer(),
            justify="between",
            align="center",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=["var(--space-2)", "var(--space-5)"],
            padding_y="var(--space-2)",
            spacing=rx.breakpoints(initial="1", sm="3"),
            wrap="wrap",
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
    description: str | rx.Var[str] = "",
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
            if isinstance(description, rx.Var) or description
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


def section_card(
    title: str, *children: rx.Component, spacing: str = "3", size: str = "2", **props: object
) -> rx.Component:
    """A card with its section's heading (h2) over its content, the shape every page uses."""
    return rx.card(
        rx.flex(
            rx.heading(title, as_="h2", size="3"),
            *children,
            direction="column",
            spacing=spacing,
        ),
        size=size,
        **props,
    )


def bare_page(*children: rx.Component, heading: str) -> rx.Component:
    """A page for visitors who are not signed in: the product name and one card."""
    return rx.center(
        rx.flex(
            rx.flex(
                rx.center(
                    rx.icon("life-buoy", size=22, color="white", aria_hidden="true"),
                    background_color=f"var(--{ACCENT}-9)",
                    border_radius="var(--radius-3)",
                    padding="var(--space-1)",
                ),
                rx.text(PRODUCT_NAME, size="5", weight="bold", high_contrast=True),
                align="center",
                spacing="2",
            ),
            rx.el.main(
                rx.card(
                    rx.flex(
                        rx.heading(heading, as_="h1", size="6"),
                        *children,
                        direction="column",
                        spacing="4",
                    ),
                    size="3",
                    width="100%",
                ),
                id="main",
                width="100%",
            ),
            direction="column",
            align="center",
            spacing="5",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="var(--space-4)",
        background_color="var(--gray-2)",
    )
