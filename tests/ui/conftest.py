"""Helpers for driving Reflex states directly, as the browser's events would.

States are instantiated bare (Reflex allows it under pytest); `async with self` is a no-op
there, so background handlers run to completion when their function is awaited. Every test
here acts as a signed-in admin (a real session, its secret in the handshake's Cookie header)
unless it signs in someone else with `sign_in`.
"""

import asyncio
from typing import Any

import pytest
from reflex.istate.data import RouterData

from tests.support.api import index_similar
from ticket_app.domain import Category, Priority
from ticket_app.services import sessions, tickets
from ticket_app.services.schemas import TicketCreate, TicketRead

_session: dict[str, str] = {}


def new(state_class: Any) -> Any:
    """A fresh instance of a page state inside a whole state tree, as Reflex keeps one per
    tab (its handlers reach their parent states, such as the signed-in viewer's)."""
    root = state_class.get_root_state()(_reflex_internal_init=True)
    return root.get_substate(state_class.get_full_name().split(".")[1:])


def at_url(state: Any, path: str, secret: str | None = None) -> Any:
    """Put `state` on the page at `path` (with its query string), as on_load sees it, in a tab
    whose websocket carried the signed-in viewer's session cookie (or `secret`'s)."""
    route, _, query = path.partition("?")
    params = dict(item.split("=", 1) for item in query.split("&") if item)
    secret = _session.get("secret", "") if secret is None else secret
    headers = {"origin": "http://test", "cookie": f"{sessions.COOKIE_NAME}={secret}"}
    state.router = RouterData.from_router_data(
        {"pathname": route, "asPath": path, "query": params, "headers": headers}
    )
    return state


@pytest.fixture
def sign_in():
    """`sign_in(person)`: later `at_url` calls act as that person (returns the secret)."""

    def sign_in_(person: Any) -> str:
        _session["secret"] = sessions.start(person.actor)
        return _session["secret"]

    yield sign_in_
    _session.clear()


@pytest.fixture(autouse=True)
def viewer(admin: Any, sign_in: Any) -> Any:
    """The admin every UI-state test acts as, signed in with a real session."""
    sign_in(admin)
    return admin


def run(handler: Any, state: Any, *args: Any) -> Any:
    """Call an event handler (background or not, sync or async) like Reflex would."""
    result = handler.fn(state, *args)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result


def spec_args(spec: Any) -> dict[str, Any]:
    """The literal arguments of an EventSpec, e.g. the path of a redirect."""
    return {str(name): getattr(value, "_var_value", str(value)) for name, value in spec.args}


def toast_text(spec: Any) -> str:
    """The JavaScript a toast event runs: it names the level and holds the message."""
    assert spec.handler.fn.__qualname__ == "_call_function"
    return spec_args(spec)["function"]


@pytest.fixture
def make_ticket(database_url, admin):
    """Create a ticket through the service (the same path the API takes), by `by` (a
    Person; the admin by default), then run the similar-tickets step a server process runs
    after creates, so the ticket is offered as similar as it would be a moment later."""

    def make(
        title: str = "Printer on fire",
        description: str = "It smells of smoke.",
        by: Any = None,
        **fields: Any,
    ) -> TicketRead:
        author = by or admin
        triage = {"category": Category.GENERAL, "priority": Priority.MEDIUM}
        if not author.actor.is_staff:  # a requester's ticket is classified by the desk
            triage = {"category": None, "priority": None}
        data = TicketCreate(
            title=title,
            description=description,
            category=fields.pop("category", triage["category"]),
            priority=fields.pop("priority", triage["priority"]),
        )
        created = tickets.create_ticket(author.actor, data=data, **fields)
        index_similar()
        return created

    return make
