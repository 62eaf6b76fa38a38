"""Rules that once lived in a page as well as in a service now live in the service alone: a
page or route that forgets them cannot break them."""

import asyncio

import pytest

from ticket_app.classifier import Suggestion
from ticket_app.domain import Category, Priority
from ticket_app.services import suggestions, tickets
from ticket_app.services.errors import Forbidden
from ticket_app.services.schemas import validate_create

PRINTER = {"title": "Printer jammed", "description": "The printer on floor 3 jams on every page."}
PLANTED = Suggestion(
    category=Category.BILLING,
    priority=Priority.CRITICAL,
    source="gemini",
    used_fallback=False,
    confidence=0.99,
)


def test_a_requesters_suggestion_is_the_desks_not_theirs(requester):
    """A requester's tab could send a form with a suggestion of its choosing: the service
    classifies the text itself, so a requester cannot pick their own queue."""
    made = tickets.create_ticket(requester.actor, data=validate_create(PRINTER), suggestion=PLANTED)
    assert made.priority != Priority.CRITICAL  # the offline model reads a jammed printer
    assert made.suggested_priority != Priority.CRITICAL


def test_an_agents_suggestion_is_kept(agent):
    made = tickets.create_ticket(agent.actor, data=validate_create(PRINTER), suggestion=PLANTED)
    assert (made.category, made.priority) == (Category.BILLING, Priority.CRITICAL)


def test_only_staff_may_ask_for_a_suggestion(requester, agent):
    assert asyncio.run(suggestions.suggest(agent.actor, text=PRINTER["description"]))
    with pytest.raises(Forbidden):
        asyncio.run(suggestions.suggest(requester.actor, text=PRINTER["description"]))
