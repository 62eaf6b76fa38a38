"""The agent UI: Reflex pages over the tickets service, live for every open browser."""

import reflex as rx

from ticket_app.ui.pages.dashboard import dashboard_page
from ticket_app.ui.pages.detail import detail_page
from ticket_app.ui.pages.submit import submit_page
from ticket_app.ui.pages.tickets import tickets_page
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.tickets import TicketsState
from ticket_app.ui.theme import PRODUCT_NAME


def add_pages(app: rx.App) -> None:
    """Register every page with its route, title and on_load handler."""
    app.add_page(
        submit_page,
        route="/",
        title=f"New ticket · {PRODUCT_NAME}",
        description="Submit a support ticket; category and priority are suggested as you type.",
    )
    app.add_page(
        tickets_page,
        route="/tickets",
        title=f"Tickets · {PRODUCT_NAME}",
        on_load=TicketsState.load,
    )
    app.add_page(
        detail_page,
        route="/tickets/[ticket_id]",
        title=f"Ticket · {PRODUCT_NAME}",
        on_load=DetailState.load,
    )
    app.add_page(
        dashboard_page,
        route="/dashboard",
        title=f"Dashboard · {PRODUCT_NAME}",
        on_load=DashboardState.load,
    )
