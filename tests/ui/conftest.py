"""Helpers for driving Reflex states directly, as the browser's events would.

States are instantiated bare (Reflex allows it under pytest); `async with self` is a no-op
there, so background handlers run to completion when their function is awaited.
"""

import asyncio
from typing import Any

import pytest
from reflex.istate.data import RouterData

from ticket_app.domain import Category, Priority
from ticket_app.services import tickets
from ticket_app.services.schemas import TicketCreate, TicketRead


def at_url(state: Any, path: str) -> Any:
    """Put `state` on the page at `path` (with its query string), as on_load sees it."""
    route, _, query = path.partition("?")
    params = dict(item.split("=", 1) for item in query.split("&") if item)
    state.router = RouterData.from_router_data(
        {"pathname": route, "asPath": path, "query": params, "headers": {"origin": "http://test"}}
    )
    return state


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
def make_ticket(database_url):
    """Create a ticket through the service (the same path the API takes)."""

    def make(
        title: str = "Printer on fire", description: str = "It smells of smoke.", **fields: Any
    ) -> TicketRead:
        data = TicketCreate(
            title=title,
            description=description,
            category=fields.pop("category", Category.GENERAL),
            priority=fields.pop("priority", Priority.MEDIUM),
        )
        return tickets.create_ticket(data, **fields)

    return make
