"""What a tab sends is checked before the server keeps it: no handler of any page keeps more
text than a form of the desk sends, and a handler of the admins' page does nothing for others."""

import asyncio
import json

import pytest

from tests.support.reflex_client import ReflexTab, event_name
from ticket_app.ui.gate import EVENT_TEXT_MAX, TOO_LONG
from ticket_app.ui.state.form import FormState
from ticket_app.ui.state.users_admin import UsersState

from .conftest import run

pytestmark = pytest.mark.served


def test_a_tab_cannot_park_a_megabyte_in_the_form(live_app, desk):
    async def scenario() -> tuple[str, str, str]:
        async with ReflexTab(live_app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/")
            answer = await tab.call(
                event_name(FormState.set_description),
                {"value": "x" * 900_000},
                until=lambda update: bool(update.events),
            )
            kept = tab.value(FormState, "description")
            await tab.call(event_name(FormState.set_description), {"value": "x" * 30_000})
            error = tab.value(FormState, "description_error")
            return kept, json.dumps(answer.last.events), error

    kept, refusal, error = run(scenario())
    assert kept == ""
    assert TOO_LONG in refusal
    assert error == "Description must be at most 20,000 characters (got 30,000)."


@pytest.mark.parametrize("role", ["requester", "agent", "admin"])
def test_no_page_keeps_a_megabyte_for_anyone(live_app, desk, role):
    """The reset form's target used to keep whatever string a tab sent, for any user."""

    async def scenario() -> str:
        async with ReflexTab(live_app.url, cookie=desk.cookies[role]) as tab:
            await tab.open("/admin/users")
            await tab.call(
                event_name(UsersState.start_reset),
                {"user_id": "9" * (EVENT_TEXT_MAX + 1)},
                until=lambda update: bool(update.events),
            )
            await tab.send(event_name(UsersState.start_reset), {"user_id": "x" * 1000})
            await asyncio.sleep(1)  # a refused start changes nothing, so nothing is sent
            return json.dumps(tab.state)

    sent = run(scenario())
    assert "9" * 1000 not in sent
    assert "x" * 1000 not in sent


def test_only_admins_open_a_reset_and_only_for_a_listed_person(live_app, desk):
    async def scenario(role: str, user_id: str) -> str:
        async with ReflexTab(live_app.url, cookie=desk.cookies[role]) as tab:
            await tab.open("/admin/users")
            await tab.send(event_name(UsersState.start_reset), {"user_id": user_id})
            await asyncio.sleep(1)
            return tab.state.get(UsersState.get_full_name(), {}).get("reset_for_rx_state_", "")

    assert run(scenario("agent", "1")) == ""
    assert run(scenario("admin", "999999")) == ""
    assert run(scenario("admin", "1")) == "1"
