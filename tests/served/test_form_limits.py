"""What a tab sends for the submit form is checked before the server keeps it."""

import pytest

from bench.reflex_client import ReflexTab, event_name
from ticket_app.ui.state.form import FormState

from .conftest import run

pytestmark = pytest.mark.served


def test_a_tab_cannot_park_a_megabyte_in_the_form(live_app, desk):
    async def scenario() -> tuple[str, str]:
        async with ReflexTab(live_app.url, cookie=desk.cookies["agent"]) as tab:
            await tab.open("/")
            await tab.call(event_name(FormState.set_description), {"value": "x" * 900_000})
            return tab.value(FormState, "description"), tab.value(FormState, "description_error")

    kept, error = run(scenario())
    assert kept == ""
    assert error == "Description must be at most 20,000 characters (got 900,000)."
