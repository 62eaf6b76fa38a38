"""The UI: Reflex pages over the services, live for every open browser, each page for the
roles that may see it.

Every page but sign-in and setup starts its on_load with `SessionState.guard`, and the
`SignedInOnly` middleware refuses any event of a signed-in page's state without a session, so
a new page added here is protected by default.
"""

from collections.abc import Callable

import reflex as rx

from ticket_app.ui.access import SignedInOnly
from ticket_app.ui.pages.account import account_page
from ticket_app.ui.pages.board import board_page
from ticket_app.ui.pages.dashboard import dashboard_page
from ticket_app.ui.pages.detail import detail_page
from ticket_app.ui.pages.signin import login_page, setup_page
from ticket_app.ui.pages.submit import submit_page
from ticket_app.ui.pages.tickets import tickets_page
from ticket_app.ui.pages.users_admin import users_page
from ticket_app.ui.state.account import AccountState
from ticket_app.ui.state.board import BoardState
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.duplicates import DuplicatesState
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.signin import SetupState, SignInState
from ticket_app.ui.state.tickets import TicketsState
from ticket_app.ui.state.users_admin import UsersState
from ticket_app.ui.theme import PRODUCT_NAME

SIGNED_IN_PAGES: tuple[tuple[Callable[[], rx.Component], str, str, tuple[object, ...]], ...] = (
    (submit_page, "/", "New ticket", ()),
    (tickets_page, "/tickets", "Tickets", (TicketsState.load,)),
    (detail_page, "/tickets/[ticket_id]", "Ticket", (DetailState.load, DuplicatesState.load)),
    (board_page, "/board", "Board", (BoardState.load,)),
    (dashboard_page, "/dashboard", "Dashboard", (DashboardState.load,)),
    (account_page, "/account", "Your account", (AccountState.load,)),
    (users_page, "/admin/users", "Users", (UsersState.load,)),
)


def add_pages(app: rx.App) -> None:
    """Register every page with its route, title and on_load handlers, and the gate."""
    app.add_middleware(SignedInOnly())
    app.add_page(
        login_page, route="/login", title=f"Sign in · {PRODUCT_NAME}", on_load=SignInState.load
    )
    app.add_page(
        setup_page, route="/setup", title=f"Set up · {PRODUCT_NAME}", on_load=SetupState.load
    )
    for component, route, title, loads in SIGNED_IN_PAGES:
        on_load = [SessionState.guard, *loads]
        app.add_page(component, route=route, title=f"{title} · {PRODUCT_NAME}", on_load=on_load)
