"""DESIGN.md's table of who may do what, tried against the API from every side.

Requesters see and reply to their own tickets only (another's is "not found", never
"forbidden", in lists, counts, searches and stats too) and may only close them; agents do
everything on tickets but delete; admins delete. Each rule has a test that tries to break it.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import make_ticket, refused


@dataclass
class Desk:
    rita: Any  # a requester
    rob: Any  # another requester
    agent: Any
    admin: Any
    ritas: list[dict[str, Any]]
    robs: list[dict[str, Any]]
    staff: list[dict[str, Any]]


@pytest.fixture
def desk(api, make_person, admin, agent) -> Desk:
    rita, rob = make_person("requester", "Rita"), make_person("requester", "Rob")
    ritas = [
        make_ticket(api(rita), title="Zebra printer jams", description="Paper everywhere."),
        make_ticket(api(rita), title="Cannot log in", description="Password reset fails."),
    ]
    robs = [
        make_ticket(api(rob), title="Zebra invoice", description="Charged twice for zebra."),
        make_ticket(api(rob), title="VPN down", description="Since this morning."),
        make_ticket(api(rob), title="Laptop slow", description="Zebra stickers on it."),
    ]
    staff = [make_ticket(api(agent), title="Zebra crossing", category="general", priority="low")]
    return Desk(rita, rob, agent, admin, ritas, robs, staff)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return sorted(ticket["id"] for ticket in response.json())


def test_a_requesters_ticket_is_theirs_and_classified_by_the_desk(api, desk):
    ticket = make_ticket(api(desk.rita), description="I was charged twice this month.")
    assert ticket["created_by"] == desk.rita.id
    assert (ticket["category"], ticket["priority"]) == (
        ticket["suggested_category"],
        ticket["suggested_priority"],
    )
    assert ticket["note_count"] is None
    assert api(desk.rita).get(f"/api/tickets/{ticket['id']}/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"), [("category", "billing"), ("priority", "critical"), ("status", "open")]
)
def test_a_requester_cannot_triage_their_new_ticket(api, desk, field, value):
    body = {"title": "Mine", "description": "Please", field: value}
    refused(api(desk.rita).post("/api/tickets/", json=body), 403, field)
    assert api(desk.admin).get("/api/tickets/").headers["x-total-count"] == "6"


LIST_QUERIES = [
    "",
    "?status=open",
    "?search=zebra",
    "?search=zebra&status=open,closed&sort=oldest",
    "?assignee=none",
    "?requester=me",
    "?priority=low,medium,high,critical",
]


def test_a_requester_lists_and_counts_only_their_own(api, desk):
    own = {ticket["id"] for ticket in desk.ritas}
    client = api(desk.rita)
    for query in LIST_QUERIES:
        expected = own if "zebra" not in query else {desk.ritas[0]["id"]}
        response = client.get(f"/api/tickets/{query}")
        assert set(ids(response)) == expected, query
        assert response.headers["x-total-count"] == str(len(expected)), query
    first = client.get("/api/tickets/?limit=1")
    assert first.headers["x-total-count"] == "2"
    assert len(first.json()) == 1


def test_a_requester_filtering_by_someone_else_sees_nothing(api, desk):
    for query in (f"?requester={desk.rob.id}", f"?assignee={desk.agent.id}"):
        response = api(desk.rita).get(f"/api/tickets/{query}")
        assert ids(response) == []
        assert response.headers["x-total-count"] == "0"


def test_a_requesters_stats_cover_their_own_tickets_only(api, desk):
    for query in ("", "?search=zebra", "?status=open", "?category=general"):
        mine = api(desk.rita).get(f"/api/tickets/stats/{query}").json()
        expected = len(ids(api(desk.rita).get(f"/api/tickets/{query}")))
        assert mine["total_tickets"] == expected, query
        for breakdown in ("status_breakdown", "category_breakdown", "priority_breakdown"):
            assert sum(mine[breakdown].values()) == expected, query
    everyone = api(desk.agent).get("/api/tickets/stats/").json()
    assert everyone["total_tickets"] == 6


def test_someone_elses_ticket_is_not_found_wherever_a_requester_looks(api, desk):
    client = api(desk.rita)
    theirs = desk.robs[0]["id"]
    missing = 10**6
    for path in ("/api/tickets/{}/", "/api/tickets/{}/comments/", "/api/tickets/{}/history/"):
        answer = refused(client.get(path.format(theirs)), 404)
        assert answer == refused(client.get(path.format(missing)), 404)
    attempts = [
        client.patch(f"/api/tickets/{theirs}/", json={"status": "closed"}),
        client.post(f"/api/tickets/{theirs}/comments/", json={"body": "Me too"}),
    ]
    for response in attempts:
        refused(response, 404)
        assert response.json()["detail"] == f"No ticket has id {theirs}."
    untouched = api(desk.admin).get(f"/api/tickets/{theirs}/").json()
    assert (untouched["status"], untouched["comment_count"]) == ("open", 0)


def test_a_requester_may_close_their_own_ticket(api, desk):
    ticket = desk.ritas[0]
    closed = api(desk.rita).patch(f"/api/tickets/{ticket['id']}/", json={"status": "closed"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


REQUESTER_MAY_NOT = [
    {"status": "resolved"},
    {"status": "in_progress"},
    {"title": "Urgent!!!"},
    {"description": "Rewritten"},
    {"category": "billing"},
    {"priority": "critical"},
    {"assignee_id": None},
    {"status": "closed", "priority": "critical"},
]


def test_a_requester_may_change_nothing_else(api, desk):
    ticket = desk.ritas[0]
    for change in REQUESTER_MAY_NOT:
        response = api(desk.rita).patch(f"/api/tickets/{ticket['id']}/", json=change)
        fields = refused(response, 403)
        assert fields, change
        assert set(fields) <= set(change), change
    after = api(desk.admin).get(f"/api/tickets/{ticket['id']}/").json()
    assert after["version"] == ticket["version"]


def test_a_requester_cannot_unassign_their_ticket(api, desk):
    """null is a value too: "leave the assignee to the desk" includes taking it away."""
    url = f"/api/tickets/{desk.ritas[0]['id']}/"
    api(desk.agent).patch(url, json={"assignee_id": desk.agent.id})
    refused(api(desk.rita).patch(url, json={"assignee_id": None}), 403, "assignee_id")
    assert api(desk.agent).get(url).json()["assignee_id"] == desk.agent.id


def test_a_closed_ticket_stays_closed_against_a_requesters_reopen_by_patch(api, desk):
    ticket = desk.ritas[1]
    api(desk.agent).patch(f"/api/tickets/{ticket['id']}/", json={"status": "closed"})
    refused(api(desk.rita).patch(f"/api/tickets/{ticket['id']}/", json={"status": "open"}), 403)


def test_classify_is_for_staff(api, desk):
    body = {"description": "The VPN drops every hour"}
    refused(api(desk.rita).post("/api/tickets/classify/", json=body), 403)
    assert api(desk.agent).post("/api/tickets/classify/", json=body).status_code == 200


def test_agents_read_and_triage_every_ticket(api, desk):
    client = api(desk.agent)
    everyone = desk.ritas + desk.robs + desk.staff
    assert ids(client.get("/api/tickets/")) == sorted(t["id"] for t in everyone)
    change = {
        "status": "in_progress",
        "category": "technical",
        "priority": "high",
        "assignee_id": desk.agent.id,
        "title": "Zebra printer jams (triaged)",
    }
    patched = client.patch(f"/api/tickets/{desk.ritas[0]['id']}/", json=change)
    assert patched.status_code == 200
    assert {key: patched.json()[key] for key in change} == change
    assert patched.json()["note_count"] == 0
    imported = make_ticket(client, status="resolved", category="account", priority="low")
    assert imported["status"] == "resolved"


def test_only_admins_delete_tickets(api, desk):
    ticket = desk.robs[1]
    url = f"/api/tickets/{ticket['id']}/"
    refused(api(desk.agent).delete(url), 403)
    refused(api(desk.rob).delete(url), 403)
    assert api(desk.agent).get(url).status_code == 200
    assert api(desk.admin).delete(url).status_code == 204
    refused(api(desk.agent).get(url), 404)
