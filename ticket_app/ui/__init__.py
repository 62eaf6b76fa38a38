"""The UI: Reflex pages over the services, live for every open browser, each page for the
roles that may see it.

Every page but sign-in and setup starts its on_load with `SessionState.guard`, and the
`SignedInOnly` middleware refuses any event of a signed-in page's state without a session, so
a new page added here is protected by default.
"""

from collections.abc import Callable

import reflex as rx

from ticket_app.ui import routes
from ticket_app.ui.gate import SignedInOnly
from ticket_app.ui.pages.account import account_page
from ticket_app.ui.pages.board import board_page
from ticket_app.ui.pages.dashboard import dashboard_page
from ticket_app.ui.pages.detail import detail_page
from ticket_app.ui.pages.login_code import login_code_page
from ticket_app.ui.pages.mail_admin import mail_page
from ticket_app.ui.pages.signin import login_page, setup_page
from ticket_app.ui.pages.sla_admin import sla_admin_page
from ticket_app.ui.pages.submit import submit_page
from ticket_app.ui.pages.tickets import tickets_page
from ticket_app.ui.pages.two_factor import two_factor_page
from ticket_app.ui.pages.users_admin import users_page
from ticket_app.ui.state.account import AccountState
from ticket_app.ui.state.board import BoardState
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.duplicates import DuplicatesState
from ticket_app.ui.state.login_code import LoginCodeState, SingleSignOnState
from ticket_app.ui.state.mail_admin import MailAdminState
from ticket_app.ui.state.quarantine import QuarantineState
from ticket_app.ui.state.session import SessionState
from ticket_app.ui.state.sessions import OwnSessionsState
from ticket_app.ui.state.signin import SetupState, SignInState
from ticket_app.ui.state.sla_admin import SlaAdminState
from ticket_app.ui.state.ticket_mail import TicketMailState
from ticket_app.ui.state.tickets import TicketsState
from ticket_app.ui.state.two_factor import TwoFactorState
from ticket_app.ui.state.user_security import UserSecurityState
from ticket_app.ui.state.users_admin import UsersState
from ticket_app.ui.theme import PRODUCT_NAME

# What each signed-in page shows and loads (its route and title: `routes.SIGNED_IN_PAGES`).
CONTENT: dict[str, tuple[Callable[[], rx.Component], tuple[object, ...]]] = {
    routes.HOME: (submit_page, ()),
    routes.TICKETS: (tickets_page, (TicketsState.load,)),
    routes.TICKET: (detail_page, (DetailState.load, DuplicatesState.load, TicketMailState.load)),
    routes.BOARD: (board_page, (BoardState.load,)),
    routes.DASHBOARD: (dashboard_page, (DashboardState.load,)),
    routes.ACCOUNT: (account_page, (AccountState.load, OwnSessionsState.load)),
    routes.TWO_FACTOR: (two_factor_page, (TwoFactorState.load,)),
    routes.USERS: (users_page, (UsersState.load, UserSecurityState.load)),
    routes.MAIL: (mail_page, (MailAdminState.load, QuarantineState.load)),
    routes.SLA_ADMIN: (sla_admin_page, (SlaAdminState.load,)),
}


def add_pages(app: rx.App) -> None:
    """Register every page with its route, title and on_load handlers, and the gate."""
    app.add_middleware(SignedInOnly())
    app.add_page(
        login_page,
        route=routes.LOGIN,
        title=f"Sign in · {PRODUCT_NAME}",
        on_load=[SignInState.load, SingleSignOnState.load],
    )
    app.add_page(
        login_code_page,
        route=routes.LOGIN_CODE,
        title=f"Two-factor code · {PRODUCT_NAME}",
        on_load=LoginCodeState.load,
    )
    app.add_page(
        setup_page, route=routes.SETUP, title=f"Set up · {PRODUCT_NAME}", on_load=SetupState.load
    )
    for page in routes.SIGNED_IN_PAGES:
        component, loads = CONTENT[page.route]
        title = f"{page.title} · {PRODUCT_NAME}"
        guard = () if page.for_enrolment else (SessionState.guard,)  # it guards itself
        app.add_page(component, route=page.route, title=title, on_load=[*guard, *loads])
