"""Every address of the desk's pages in one place: the routes, which of them the navigation
shows (and to whom), and the builders of links into them, so no other module spells a path.

A builder takes a Python value (a redirect made by a handler) or a Var (a link in a page),
and gives back the same kind.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import overload
from urllib.parse import quote, urlencode

import reflex as rx

from ticket_app.services.schemas import FILTER_PARAMETERS

HOME = "/"
TICKETS = "/tickets"
TICKET = "/tickets/[ticket_id]"
BOARD = "/board"
DASHBOARD = "/dashboard"
ACCOUNT = "/account"
TWO_FACTOR = "/account/two-factor"  # also where staff who must set it up are held
USERS = "/admin/users"
MAIL = "/admin/mail"
SLA_ADMIN = "/admin/sla"
LOGIN = "/login"
LOGIN_CODE = "/login/code"  # the code step after a right password
SSO_START = "/auth/oidc/start"  # single sign-on: off to the company's OpenID provider
SETUP = "/setup"
EXPORT = "/download/tickets.csv"  # the list's CSV (api/export.py), with the list's filters


@dataclass(frozen=True)
class Page:
    """A signed-in page: its route and title; with an icon it is in the navigation, shown to
    everyone or only when the viewer's permission flag `shown_if` (on SessionState) is set.
    A page `for_enrolment` is also open to a session that may only set up two-factor: its
    own state guards it (`ui/gate.py`), not `SessionState.guard`."""

    route: str
    title: str
    icon: str = ""
    shown_if: str = ""
    for_enrolment: bool = False


SIGNED_IN_PAGES = (
    Page(HOME, "New ticket", "circle-plus"),
    Page(TICKETS, "Tickets", "list"),
    Page(TICKET, "Ticket"),
    Page(BOARD, "Board", "square-kanban", shown_if="can_triage"),
    Page(DASHBOARD, "Dashboard", "chart-column"),
    Page(ACCOUNT, "Your account"),
    Page(TWO_FACTOR, "Two-factor sign-in", for_enrolment=True),
    Page(USERS, "Users", "users", shown_if="can_manage_users"),
    Page(MAIL, "Mail", "mail", shown_if="can_manage_users"),
    Page(SLA_ADMIN, "Service levels", "alarm-clock", shown_if="can_manage_sla"),
)
NAV_PAGES = tuple(page for page in SIGNED_IN_PAGES if page.icon)


@overload
def ticket_url(ticket_id: int) -> str: ...
@overload
def ticket_url(ticket_id: rx.Var[int]) -> rx.Var[str]: ...
def ticket_url(ticket_id: int | rx.Var[int]) -> str | rx.Var[str]:
    """A ticket's own page."""
    if isinstance(ticket_id, rx.Var):
        return TICKETS + "/" + ticket_id.to_string()
    return f"{TICKETS}/{ticket_id}"


def ticket_id_in(path: str) -> str:
    """The last segment of /tickets/{id}: the ticket page's only parameter (still unchecked)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def with_query(route: str, query: str) -> str:
    return f"{route}?{query}" if query else route


def filtered_url(route: str, params: Mapping[str, str]) -> str:
    """`route` with these list filters; empty ones are left out, commas stay readable."""
    wanted = {key: params[key] for key in FILTER_PARAMETERS if params.get(key)}
    return with_query(route, urlencode(wanted, safe=",", quote_via=quote))


def list_url(params: Mapping[str, str]) -> str:
    """The ticket list's address for these filters."""
    return filtered_url(TICKETS, params)


def requester_list_url(requester_id: rx.Var[int]) -> rx.Var[str]:
    """The list of one requester's tickets (a link on the ticket page)."""
    return TICKETS + "?requester=" + requester_id.to_string()


def sign_in_address(path: str, query: str = "") -> str:
    """The login page, coming back to `path` (and its query) after signing in."""
    path = path.rstrip("/")
    if not path and not query:
        return LOGIN
    target = (path or "/") + (f"?{query}" if query else "")
    return f"{LOGIN}?next={quote(target, safe='/')}"
