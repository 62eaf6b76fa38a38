"""A requester's similar tickets carry nothing learned from other people's tickets.

The query's idf was the desk's: how many tickets of the whole desk hold a word moved the
score a requester saw, so they could estimate how many tickets say "lawsuit". Now the same
requester query answers the same whatever other people filed."""

from tests.support.api import index_similar
from ticket_app.services import tickets
from ticket_app.services.schemas import validate_create

MINE = [
    ("Refund for a double charge", "The invoice was charged twice, I want a refund."),
    ("Invoice PDF is missing", "The March invoice has no PDF attached."),
    ("Lawsuit threat from a reseller", "A reseller mentions a lawsuit over the invoice."),
]
QUERY = {"title": "Refund the invoice", "description": "Charged twice: refund, lawsuit, invoice"}


def others_write(person, how_many: int) -> None:
    """Other people's tickets holding the query's words, unevenly (so idf would move)."""
    for number in range(how_many):
        data = {"title": f"Refund request {number}", "description": "Please refund my lawsuit"}
        tickets.create_ticket(
            person.actor, data=validate_create({**data, "category": "billing", "priority": "low"})
        )


def answers(client, mine: list[dict]) -> list:
    index_similar()  # every ticket filed so far is in the index, other people's too
    found = [client.post("/api/tickets/similar/", json=QUERY)]
    found += [client.get(f"/api/tickets/{ticket['id']}/similar/") for ticket in mine]
    assert all(response.status_code == 200 for response in found)
    return [response.json() for response in found]


def test_a_requesters_similar_answers_ignore_other_peoples_tickets(api, requester, agent):
    rita = api(requester)
    mine = []
    for title, description in MINE:
        response = rita.post("/api/tickets/", json={"title": title, "description": description})
        mine.append(response.json())
    before = answers(rita, mine)
    assert before[0], "the query finds the requester's own tickets"
    assert {"score", "reason"} <= set(before[0][0])
    others_write(agent, 50)
    assert answers(rita, mine) == before
