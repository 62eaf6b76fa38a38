"""A ticket's history through `/api/tickets/{id}/history/`: every write path records what it
did, in its own transaction, naming who did it and through which token; requesters see the
public entries only; the table refuses UPDATE on its own.

A write whose history cannot be stored must not happen at all: the tests make the database
refuse the history row (an unknown kind breaks its CHECK) and look for any trace of the change.
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.support.api import make_ticket, refused, walk_pages
from tests.support.database import count_rows, history_rows
from ticket_app.services import history, tickets
from ticket_app.services.schemas import validate_create


def entries(client, ticket) -> list[dict]:
    response = client.get(f"/api/tickets/{ticket['id']}/history/")
    assert response.status_code == 200, response.text
    return response.json()


def summary(client, ticket) -> list[tuple]:
    return [
        (e["kind"], e["field"], e["old_value"], e["new_value"]) for e in entries(client, ticket)
    ]


def test_create_records_the_suggestion_and_what_was_kept(api, agent):
    client = api(agent)
    classified = make_ticket(client, description="I was charged twice this month.")
    pair = f"{classified['category']}/{classified['priority']}"
    assert summary(client, classified) == [("created", None, pair, pair)]
    overridden = make_ticket(client, description="I was charged twice.", category="general")
    suggested = f"{overridden['suggested_category']}/{overridden['suggested_priority']}"
    kept = f"general/{overridden['priority']}"
    assert summary(client, overridden) == [("created", None, suggested, kept)]
    chosen = make_ticket(client, category="technical", priority="low")
    assert summary(client, chosen) == [("created", None, None, "technical/low")]


def test_a_patch_records_one_entry_per_field_that_changed(api, admin, agent):
    client = api(agent)
    ticket = make_ticket(client, category="technical", priority="low")
    change = {"category": "billing", "priority": "low", "title": "New title", "status": "closed"}
    client.patch(f"/api/tickets/{ticket['id']}/", json=change)
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee_id": admin.id})
    client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "open", "assignee_id": None})
    assert summary(client, ticket)[1:] == [
        ("changed", "title", "Printer on fire", "New title"),
        ("changed", "category", "technical", "billing"),
        ("changed", "status", "open", "closed"),
        ("assigned", "assignee", None, str(admin.id)),
        ("reopened", "status", "closed", "open"),
        ("assigned", "assignee", str(admin.id), None),
    ]


def test_a_patch_that_changes_nothing_records_nothing(api, engine, agent):
    client = api(agent)
    ticket = make_ticket(client, category="technical", priority="low")
    same = client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": "low"})
    assert same.json()["version"] == ticket["version"]
    assert count_rows(engine, "ticket_history") == 1


def test_entries_name_the_actor_and_the_token(api, agent, requester):
    via_api = make_ticket(api(requester))
    api(agent).post(f"/api/tickets/{via_api['id']}/comments/", json={"body": "On it"})
    first, reply = entries(api(agent), via_api)
    assert (first["actor"], first["via"], first["token_name"]) == (
        {"id": requester.id, "name": "Rita Requester"},
        "api",
        "tests",
    )
    assert (reply["kind"], reply["actor"]["id"], reply["comment"]["body"]) == (
        "commented",
        agent.id,
        "On it",
    )
    in_browser = tickets.create_ticket(
        requester.actor, data=validate_create({"title": "From the UI", "description": "Typed in"})
    )
    [entry] = entries(api(agent), {"id": in_browser.id})
    assert (entry["actor"]["id"], entry["via"], entry["token_name"]) == (requester.id, "ui", None)


def test_requesters_see_only_the_public_entries(api, agent, requester):
    ticket = make_ticket(api(requester))
    staff = api(agent)
    url = f"/api/tickets/{ticket['id']}/"
    staff.patch(url, json={"priority": "critical", "assignee_id": agent.id})
    staff.post(f"{url}comments/", json={"body": "Internal: VIP", "public": False})
    staff.post(f"{url}comments/", json={"body": "We are on it"})
    staff.patch(url, json={"status": "resolved"})
    api(requester).post(f"{url}comments/", json={"body": "Still broken"})
    seen = [(e["kind"], e["field"]) for e in entries(api(requester), ticket)]
    assert seen == [
        ("created", None),
        ("commented", None),
        ("changed", "status"),
        ("commented", None),
        ("reopened", "status"),
    ]
    assert "VIP" not in api(requester).get(f"{url}history/").text
    assert len(entries(staff, ticket)) == len(seen) + 3  # priority, assignment, the note


@pytest.fixture
def break_history(monkeypatch):
    """Call it, and every history row from then on is one the database refuses (an unknown
    kind), written after the change it records: spoiled where rows are recorded and where
    they are built (PostgreSQL's create writes its entry in the ticket's own statement)."""
    real_record, real_entry = history.record, history.entry

    def spoiled(connection, rows):
        real_record(connection, [{**row, "kind": "vandalised"} for row in rows])

    def spoiled_entry(*args, **kwargs):
        return {**real_entry(*args, **kwargs), "kind": "vandalised"}

    def spoil() -> None:
        monkeypatch.setattr(history, "record", spoiled)
        monkeypatch.setattr(history, "entry", spoiled_entry)

    return spoil


def test_a_create_whose_history_fails_leaves_no_ticket(api, engine, agent, break_history):
    break_history()
    response = api(agent).post("/api/tickets/", json={"title": "T", "description": "D"})
    refused(response, 400)
    assert count_rows(engine, "tickets") == 0
    assert count_rows(engine, "ticket_counts", "tickets <> 0") == 0


def test_a_patch_whose_history_fails_changes_nothing(api, engine, agent, break_history):
    ticket = make_ticket(api(agent), category="technical", priority="low")
    break_history()
    response = api(agent).patch(
        f"/api/tickets/{ticket['id']}/", json={"status": "closed", "assignee_id": agent.id}
    )
    refused(response, 400)
    assert api(agent).get(f"/api/tickets/{ticket['id']}/").json() == ticket
    assert history_rows(engine, ticket["id"]) == [("created", None, None, "technical/low", True)]
    assert api(agent).get("/api/tickets/?status=closed").headers["x-total-count"] == "0"
    assert api(agent).get(f"/api/tickets/?assignee={agent.id}").headers["x-total-count"] == "0"


def test_a_reply_whose_history_fails_neither_posts_nor_reopens(
    api, engine, agent, requester, break_history
):
    ticket = make_ticket(api(requester))
    closed = api(agent).patch(f"/api/tickets/{ticket['id']}/", json={"status": "closed"}).json()
    break_history()
    response = api(requester).post(
        f"/api/tickets/{ticket['id']}/comments/", json={"body": "Broken again"}
    )
    refused(response, 400)
    assert count_rows(engine, "ticket_comments") == 0
    assert api(agent).get(f"/api/tickets/{ticket['id']}/").json() == closed


def test_the_history_refuses_updates_on_its_own(engine, api, agent):
    ticket = make_ticket(api(agent))
    for statement in (
        "UPDATE ticket_history SET new_value = 'forged'",
        "UPDATE ticket_history SET actor_id = NULL WHERE ticket_id = :id",
        "UPDATE ticket_history SET kind = 'changed'",
    ):
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(sa.text(statement), {"id": ticket["id"]})
    assert [row[0] for row in history_rows(engine, ticket["id"])] == ["created"]


def test_the_history_pages_oldest_first(api, agent):
    client = api(agent)
    ticket = make_ticket(client, category="technical", priority="low")
    for n in range(4):
        client.post(f"/api/tickets/{ticket['id']}/comments/", json={"body": f"Note {n}"})
    items, _ = walk_pages(client, f"/api/tickets/{ticket['id']}/history/?limit=2")
    assert [e["kind"] for e in items] == ["created"] + ["commented"] * 4
    assert [e["comment"]["body"] for e in items[1:]] == [f"Note {n}" for n in range(4)]
    ids = [e["id"] for e in items]
    assert ids == sorted(set(ids))
    refused(client.get(f"/api/tickets/{ticket['id']}/history/?limit=201"), 400, "limit")
