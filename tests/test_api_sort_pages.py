"""The four orders of a ticket list, and paging through each with `Link: rel="next"`.

Every order is a keyset walk, so ties are where it can go wrong: several tickets here share
a created_at (and an updated_at), and each walk must still visit every matching ticket exactly
once and in the documented order, with and without a search (which pages another way).
"""

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.api import make_ticket, walk_pages

RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
PRIORITIES = ["low", "critical", "medium", "high"]


def _moment(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


ORDERS = {
    "newest": lambda t: (-_moment(t["created_at"]), -t["id"]),
    "oldest": lambda t: (_moment(t["created_at"]), t["id"]),
    "priority": lambda t: (RANK[t["priority"]], -_moment(t["created_at"]), -t["id"]),
    "activity": lambda t: (-_moment(t["updated_at"]), -t["id"]),
}


def _share_times(engine, ids: list[int], column: str) -> None:
    """Give the tickets `ids` the same `column` value as the first of them."""
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"UPDATE tickets SET {column} = (SELECT {column} FROM tickets WHERE id = :first) "
                "WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"first": ids[0], "ids": ids},
        )


@pytest.fixture
def tickets(client, engine) -> list[dict[str, Any]]:
    """23 tickets (more than four pages of five): two runs of five sharing a created_at, one
    of them sharing an updated_at too; some changed or commented on later, so activity
    differs from creation."""
    made = [
        make_ticket(
            client,
            title=f"{'Modem' if n % 2 else 'Ticket'} {n}",
            category="technical",
            priority=PRIORITIES[n % 4],
            status="closed" if n % 5 == 0 else "open",
        )
        for n in range(23)
    ]
    ids = [ticket["id"] for ticket in made]
    _share_times(engine, ids[2:7], "created_at")
    _share_times(engine, ids[12:17], "created_at")
    _share_times(engine, ids[12:17], "updated_at")
    for ticket_id in ids[3:20:4]:
        client.patch(f"/api/tickets/{ticket_id}/", json={"priority": "high"})
    client.post(f"/api/tickets/{ids[1]}/comments/", json={"body": "Any news?"})
    return client.get("/api/tickets/?limit=200").json()


QUERIES = ["", "&status=open", "&search=modem", "&search=ticket&status=open"]


def test_every_page_walk_visits_each_match_once_in_order(client, tickets):
    """One test for every order and filter: the 23 tickets are made once."""
    for sort in ORDERS:
        for query in QUERIES:
            wanted = [t for t in tickets if _wanted(t, query)]
            expected = [t["id"] for t in sorted(wanted, key=ORDERS[sort])]
            url = f"/api/tickets/?limit=5&sort={sort}{query}"
            items, totals = walk_pages(client, url)
            assert [item["id"] for item in items] == expected, url
            assert set(totals) == {str(len(expected))}, url
            assert len(totals) == max(1, -(-len(expected) // 5)), url


def _wanted(ticket: dict[str, Any], query: str) -> bool:
    if "status=open" in query and ticket["status"] != "open":
        return False
    if "search=" in query:
        word = query.split("search=")[1].split("&")[0]
        return word in ticket["title"].lower()
    return True


def test_the_fixture_really_has_ties(tickets):
    created = [t["created_at"] for t in tickets]
    updated = [t["updated_at"] for t in tickets]
    assert len(set(created)) == len(created) - 8
    assert len(set(updated)) < len(updated) - 3
    assert len({t["priority"] for t in tickets}) == 4


def test_activity_puts_the_last_touched_first(client, tickets):
    oldest = min(tickets, key=lambda t: t["id"])
    client.patch(f"/api/tickets/{oldest['id']}/", json={"status": "in_progress"})
    first = client.get("/api/tickets/?sort=activity&limit=1").json()
    assert first[0]["id"] == oldest["id"]
    newest_by_creation = client.get("/api/tickets/?sort=newest&limit=1").json()
    assert newest_by_creation[0]["id"] != oldest["id"]
