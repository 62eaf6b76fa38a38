"""A create leaves its similar-tickets terms to a background step (revision 0016) and none is
ever lost: the step offers the ticket as similar, a process that stopped before its step ran
leaves the mark for the next start's sweep, and merged, deleted or edited tickets come out
right. Through the REST API on the database under test (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

import asyncio
import math
import struct

import sqlalchemy as sa

from tests.support.api import index_similar, make_ticket
from ticket_app import similar_worker
from ticket_app.db import get_engine
from ticket_app.services import similar_index

CHARGED = {
    "title": "Charged twice for the Pro plan",
    "description": "My card was charged twice for the Pro plan this month; please refund one.",
}
QUERY = {"title": "Double charge", "description": "I was charged twice, I want a refund"}


def pending() -> list[int]:
    with get_engine().connect() as connection:
        query = "SELECT ticket_id FROM similar_pending ORDER BY ticket_id"
        return list(connection.execute(sa.text(query)).scalars())


def terms_of(ticket_id: int) -> int:
    with get_engine().connect() as connection:
        query = sa.text("SELECT count(*) FROM similar_terms WHERE ticket_id = :id")
        return int(connection.execute(query, {"id": ticket_id}).scalar_one())


def offered(client) -> list[int]:
    response = client.post("/api/tickets/similar/", json=QUERY)
    assert response.status_code == 200, response.text
    return [ticket["id"] for ticket in response.json()]


def test_a_created_ticket_is_offered_as_similar_once_the_step_ran(api, agent):
    client = api(agent)
    charged = make_ticket(client, **CHARGED)
    assert pending() == [charged["id"]]  # marked in the create's own transaction
    assert terms_of(charged["id"]) == 0  # the create wrote no terms
    assert offered(client) == []
    assert index_similar() == 1
    assert offered(client) == [charged["id"]]
    assert pending() == []
    assert terms_of(charged["id"]) > 0


def test_a_ticket_whose_step_never_ran_is_indexed_by_the_sweep_at_start(api, agent):
    """The process that created it stopped before its step: the mark outlives it, and the
    worker's first round at the next start writes the terms."""
    client = api(agent)
    charged = make_ticket(client, **CHARGED)
    get_engine().dispose()  # the old process's connections are gone
    assert pending() == [charged["id"]]

    async def start_and_stop() -> None:
        async with similar_worker.lifespan():
            for _ in range(100):
                if not pending():
                    return
                await asyncio.sleep(0.05)

    asyncio.run(start_and_stop())
    assert pending() == []
    assert offered(client) == [charged["id"]]


def test_the_step_indexes_many_tickets_in_batches(api, agent):
    client = api(agent)
    made = [make_ticket(client, f"Charged twice {n}", CHARGED["description"]) for n in range(5)]
    assert similar_index.index_pending(batch=2) == 5
    assert pending() == []
    assert all(terms_of(ticket["id"]) > 0 for ticket in made)


def test_the_step_stores_each_term_and_weight_the_text_gives(api, agent):
    """What the step writes (on PostgreSQL three arrays sent as text) is the ticket's own
    vector, every 63-bit key and every weight as a `real` holds it."""
    client = api(agent)
    made = [make_ticket(client, f"Charged twice {n}", CHARGED["description"]) for n in range(3)]
    assert similar_index.index_pending() == 3
    with get_engine().connect() as connection:
        for ticket in made:
            query = sa.text("SELECT term, weight FROM similar_terms WHERE ticket_id = :id")
            stored = sorted(tuple(row) for row in connection.execute(query, {"id": ticket["id"]}))
            expected = similar_index.rows(ticket["id"], ticket["title"], ticket["description"])
            assert [term for term, _ in stored] == sorted(row["term"] for row in expected)
            weights = {row["term"]: struct.unpack("f", struct.pack("f", row["weight"]))[0]
                       for row in expected}  # fmt: skip
            assert all(math.isclose(weight, weights[term], rel_tol=1e-6) for term, weight in stored)


def test_a_pending_ticket_merged_or_deleted_before_the_step_gets_no_terms(api, agent, admin):
    client = api(agent)
    kept = make_ticket(client, **CHARGED)
    merged = make_ticket(client, **CHARGED)
    gone = make_ticket(client, **CHARGED)
    response = client.post(f"/api/tickets/{merged['id']}/merge/", json={"into": kept["id"]})
    assert response.status_code == 200, response.text
    assert api(admin).delete(f"/api/tickets/{gone['id']}/").status_code == 204
    assert pending() == [kept["id"], merged["id"]]  # the deleted ticket's mark went with it
    index_similar()
    assert offered(client) == [kept["id"]]
    assert terms_of(merged["id"]) == 0


def test_a_text_edited_before_the_step_is_indexed_as_edited(api, agent):
    client = api(agent)
    ticket = make_ticket(client, **CHARGED)
    patch = {"title": "Kerberos keytab rotation", "description": "Kerberos realm moved."}
    assert client.patch(f"/api/tickets/{ticket['id']}/", json=patch).status_code == 200
    index_similar()
    assert offered(client) == []
    found = client.post("/api/tickets/similar/", json={"title": "kerberos realm"}).json()
    assert [item["id"] for item in found] == [ticket["id"]]
