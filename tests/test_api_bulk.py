"""POST /api/tickets/bulk/: one change for many tickets, all or nothing, with history."""

import sqlalchemy as sa

from tests.support.api import make_ticket
from ticket_app.services import counts


def add(client, n: int, **fields) -> list[dict]:
    """`n` tickets, general and low unless `fields` say otherwise."""
    fields = {"category": "general", "priority": "low", **fields}
    return [make_ticket(client, f"Bulk {number}", "d", **fields) for number in range(n)]


def test_a_change_by_ids_writes_each_ticket_and_its_history(client, agent):
    made = add(client, 3)
    ids = [t["id"] for t in made]
    response = client.post(
        "/api/tickets/bulk/",
        json={"ids": ids, "set": {"status": "resolved", "assignee_id": agent.id}},
    )
    assert response.json() == {"matched": 3, "changed": 3}
    for ident in ids:
        ticket = client.get(f"/api/tickets/{ident}/").json()
        assert (ticket["status"], ticket["assignee_id"], ticket["version"]) == (
            "resolved",
            agent.id,
            2,
        )
        kinds = [
            (e["kind"], e["field"]) for e in client.get(f"/api/tickets/{ident}/history/").json()
        ]
        assert kinds == [("created", None), ("changed", "status"), ("assigned", "assignee")]
    again = client.post("/api/tickets/bulk/", json={"ids": ids, "set": {"status": "resolved"}})
    assert again.json() == {"matched": 3, "changed": 0}  # nothing to do: no history, no version
    assert counts.check() == []


def test_a_change_by_filters_covers_exactly_the_matches(client):
    add(client, 4, priority="high")
    add(client, 2, priority="low")
    response = client.post(
        "/api/tickets/bulk/", json={"filters": {"priority": "high"}, "set": {"category": "billing"}}
    )
    assert response.json() == {"matched": 4, "changed": 4}
    assert client.get("/api/tickets/?category=billing").headers["x-total-count"] == "4"
    assert counts.check() == []


def test_all_or_nothing_an_unknown_id_writes_nothing(client):
    made = add(client, 2)
    response = client.post(
        "/api/tickets/bulk/", json={"ids": [made[0]["id"], 999999], "set": {"status": "closed"}}
    )
    assert response.status_code == 404
    assert "#999999" in response.json()["detail"]
    assert client.get(f"/api/tickets/{made[0]['id']}/").json()["status"] == "open"


def test_a_bad_assignee_writes_nothing(client, requester):
    made = add(client, 2)
    response = client.post(
        "/api/tickets/bulk/",
        json={"ids": [t["id"] for t in made], "set": {"assignee_id": requester.id}},
    )
    assert response.status_code == 400
    assert {t["assignee_id"] for t in client.get("/api/tickets/").json()} == {None}


def test_the_cap_is_a_clear_400(client, monkeypatch):
    from ticket_app.services import bulk

    monkeypatch.setattr(bulk, "BULK_CAP", 2)
    add(client, 3)
    response = client.post("/api/tickets/bulk/", json={"filters": {}, "set": {"status": "closed"}})
    assert response.status_code == 400
    assert "more than 2 tickets" in response.json()["errors"][0]["message"]
    assert client.get("/api/tickets/?status=closed").headers["x-total-count"] == "0"


def test_bad_requests_name_what_is_wrong(client):
    for body, field in [
        ({"set": {"status": "closed"}}, "body"),
        ({"ids": [1], "filters": {}, "set": {"status": "closed"}}, "body"),
        ({"ids": [1]}, "body"),
        ({"ids": [1], "set": {}}, "set"),
        ({"ids": [1], "set": {"status": "done"}}, "set.status"),
        ({"ids": [0], "set": {"status": "closed"}}, "ids"),
        ({"filters": {"colour": "red"}, "set": {"status": "closed"}}, "filters.colour"),
        ({"filters": {"status": "nope"}, "set": {"status": "closed"}}, "status"),
    ]:
        response = client.post("/api/tickets/bulk/", json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (body, response.json())


def test_roles(api, agent, requester, client):
    made = add(client, 2)
    ids = [t["id"] for t in made]
    assert (
        api(requester)
        .post("/api/tickets/bulk/", json={"ids": ids, "set": {"status": "closed"}})
        .status_code
        == 403
    )
    assert (
        api(agent).post("/api/tickets/bulk/", json={"ids": ids, "delete": True}).status_code == 403
    )
    assert client.post("/api/tickets/bulk/", json={"ids": ids, "delete": True}).json() == {
        "matched": 2,
        "changed": 2,
    }
    assert client.get("/api/tickets/").json() == []


def test_a_requester_cannot_reach_others_tickets_by_id(api, requester, agent, client):
    other = add(client, 1)[0]
    rita = api(requester)
    own = rita.post("/api/tickets/", json={"title": "Mine", "description": "d"}).json()
    response = api(agent).post(
        "/api/tickets/bulk/",
        json={"ids": [own["id"], other["id"]], "set": {"status": "in_progress"}},
    )
    assert response.json()["changed"] == 2  # agents reach both


def test_counters_stay_exact_after_a_large_change(client, engine):
    add(client, 30)
    client.post(
        "/api/tickets/bulk/", json={"filters": {}, "set": {"status": "closed", "priority": "high"}}
    )
    with engine.connect() as connection:
        closed = connection.execute(
            sa.text("SELECT count(*) FROM tickets WHERE status = 'closed'")
        ).scalar()
    assert closed == 30
    assert client.get("/api/tickets/stats/").json()["status_breakdown"]["closed"] == 30
    assert counts.check() == []
