"""Text that users wrote never stops the server, however it is spelled.

Reflex 0.10 parses its own `<reflex.Var>` marker in every string it turns into a var at event
time, and loops forever on the event loop when the marker holds anything but a known number.
A title, comment, name, view or token name can hold it. These tests store each variant in each
of those places through the API, open every page that shows them, make the page handlers that
answer with a toast echo them (the new ticket form, a view saved, a token made, a ticket
assigned to a person of that name), call every handler of every page with the variants as
arguments, and after each step the server must still answer its health check within a second.
"""

import asyncio
import json
import time
import urllib.request
from typing import Any

import pytest

from tests.support.reflex_client import ReflexTab, event_name
from ticket_app.ui.state.account import AccountState
from ticket_app.ui.state.form import FormState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import Desk, run
from .test_signed_out_clients import signed_in_handlers

pytestmark = pytest.mark.served

MARKERS = (
    "<reflex.Var>x</reflex.Var>",
    "<reflex.Var>1</reflex.Var>",
    "<reflex.Var></reflex.Var>",
    "<reflex.Var><reflex.Var>x</reflex.Var></reflex.Var>",
    "Printer <reflex.Var>-7",
    "<reflex.Var>",
)
PAGES = ("/", "/tickets", "/board", "/dashboard", "/account", "/admin/users")


def api(desk: Desk, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The admin's API call; the decoded answer."""
    request = urllib.request.Request(
        f"{desk.app.url}/api{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", "authorization": f"Bearer {desk.admin_token}"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def answers_health(desk: Desk) -> bool:
    """The server's health check answers within a second (a looping event loop never does)."""
    try:
        with urllib.request.urlopen(f"{desk.app.url}/api/health/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


async def healthy(desk: Desk, step: str) -> None:
    assert await asyncio.to_thread(answers_health, desk), f"no health answer after {step}"


@pytest.fixture(scope="module")
def stored(desk: Desk) -> dict[str, Any]:
    """Each variant as a title, description, comment, user name, view name and token name."""
    tickets = []
    for index, marker in enumerate(MARKERS):
        ticket = desk.create_ticket(marker, category="billing", priority="low")
        api(desk, "POST", f"/tickets/{ticket['id']}/comments/", {"body": marker, "public": True})
        api(desk, "POST", "/views/", {"name": marker, "query": "status=open"})
        api(desk, "POST", "/tokens/", {"name": marker})
        api(
            desk,
            "POST",
            "/users/",
            {
                "email": f"marker{index}@example.com",
                "name": marker,
                "role": "agent",
                "password": "correct horse battery staple",
            },
        )
        tickets.append(ticket)
    people = api(desk, "GET", "/users/")
    agents = [person for person in people if person["name"] in MARKERS]
    return {"tickets": tickets, "agents": agents}


def test_pages_show_the_marker_and_the_server_keeps_answering(desk, stored):
    async def scenario() -> None:
        for role in ("admin", "requester"):
            async with ReflexTab(desk.app.url, cookie=desk.cookies[role]) as tab:
                await tab.open("/tickets")
                pages = [*PAGES, *(f"/tickets/{t['id']}" for t in stored["tickets"])]
                pages += [f"/tickets?search={marker}" for marker in MARKERS]
                for page in pages:
                    path, _, query = page.partition("?")
                    params = dict([query.split("=", 1)]) if query else None
                    await tab.navigate(path, params)
                    await healthy(desk, f"{role} opened {page}")

    run(scenario())


def test_toasts_that_echo_the_marker_leave_the_server_answering(desk, stored):
    """The reviewed attack: a ticket titled with the marker, filed from the New ticket form."""

    async def scenario() -> None:
        async with ReflexTab(desk.app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/")
            for marker in MARKERS:
                await tab.send(event_name(FormState.set_title), {"value": marker})
                await tab.call(
                    event_name(FormState.submit),
                    {"form_data": {"title": marker, "description": f"About {marker} again"}},
                    until=lambda update: bool(update.events),
                )
                await healthy(desk, f"a ticket titled {marker} was filed")
            await tab.navigate("/tickets")
            for marker, agent in zip(MARKERS, stored["agents"], strict=False):
                ticket = stored["tickets"][0]["id"]
                await tab.call(
                    event_name(TicketsState.change_assignee),
                    {"ticket_id": ticket, "assignee": str(agent["id"])},
                    until=lambda update: bool(update.events),
                )
                await healthy(desk, f"a ticket was assigned to {marker}")
                await tab.call(
                    event_name(TicketsState.save_view),
                    {"form": {"name": marker + " saved"}},
                    until=lambda update: bool(update.events),
                )
                await healthy(desk, f"a view named {marker} was saved")
            await tab.navigate("/account")
            for marker in MARKERS:
                await tab.call(
                    event_name(AccountState.create_token),
                    {"form": {"name": marker}},
                    until=lambda update: bool(update.events),
                )
                await healthy(desk, f"a token named {marker} was made")

    run(scenario())
    listed = api(desk, "GET", "/tickets/?search=again&limit=50")
    assert {ticket["title"] for ticket in listed} >= set(MARKERS)  # every one was filed


@pytest.mark.slow
@pytest.mark.parametrize("role", ["agent", "requester"])
def test_every_handler_with_the_marker_leaves_the_server_answering(desk, stored, role):
    handlers = signed_in_handlers()

    async def scenario() -> None:
        async with ReflexTab(desk.app.url, cookie=desk.cookies[role]) as tab:
            await tab.open("/tickets")
            for page in (*PAGES, f"/tickets/{stored['tickets'][0]['id']}"):
                await tab.navigate(page)
                for marker in MARKERS:
                    for name, arguments in handlers:
                        await tab.send(name, dict.fromkeys(arguments, marker))
                    await asyncio.sleep(0.2)
                    started = time.monotonic()
                    await healthy(desk, f"every handler got {marker} on {page} as {role}")
                    assert time.monotonic() - started < 1

    run(scenario())
