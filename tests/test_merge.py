"""Merging a duplicate through the REST API: the conversation moves with its origin, both
histories tell it, counters stay exact, the rules refuse what cannot be merged, and the
requester of the merged ticket reads the public part of the ticket it went into (once the
agent confirmed sharing it: see test_merge_sharing.py)."""

import pytest

from tests.support.api import make_ticket
from ticket_app.services import counts


def comment(client, ticket_id, body, public=True):
    response = client.post(
        f"/api/tickets/{ticket_id}/comments/", json={"body": body, "public": public}
    )
    assert response.status_code == 201, response.text
    return response.json()


def merge(client, source_id, into_id, share=False):
    body = {"into": into_id} | ({"share_with_requester": True} if share else {})
    return client.post(f"/api/tickets/{source_id}/merge/", json=body)


def history(client, ticket_id):
    response = client.get(f"/api/tickets/{ticket_id}/history/?limit=200")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def pair(api, agent, requester):
    """Ticket A (an agent's, one reply) and its duplicate B (a requester's, a reply from the
    requester and an internal note from the agent)."""
    staff, customer = api(agent), api(requester)
    target = make_ticket(staff, "Printer on fire", "Smoke from the printer.")
    comment(staff, target["id"], "We sent a technician.")
    source = make_ticket(customer, "Printer smoking", "The printer smokes.")
    comment(customer, source["id"], "It is getting worse.")
    comment(staff, source["id"], "Same printer as the other ticket.", public=False)
    return staff, customer, target, source


def test_merge_moves_the_conversation_and_tells_both_histories(pair):
    staff, _, target, source = pair
    response = merge(staff, source["id"], target["id"], share=True)
    assert response.status_code == 200, response.text
    merged_target = response.json()
    assert merged_target["id"] == target["id"]
    assert (merged_target["comment_count"], merged_target["note_count"]) == (2, 1)
    assert response.headers["etag"] == f'"{merged_target["version"]}"'

    comments = staff.get(f"/api/tickets/{target['id']}/comments/").json()
    assert [(c["body"], c["origin_ticket_id"]) for c in comments] == [
        ("We sent a technician.", None),
        ("It is getting worse.", source["id"]),
        ("Same printer as the other ticket.", source["id"]),
    ]
    entries = history(staff, target["id"])
    assert [(e["kind"], e["new_value"]) for e in entries[-3:]] == [
        ("merged", str(source["id"])),
        ("commented", None),
        ("commented", None),
    ]
    assert {e["comment"]["origin_ticket_id"] for e in entries[-2:]} == {source["id"]}

    closed = staff.get(f"/api/tickets/{source['id']}/").json()
    assert closed["merged_into_id"] == target["id"]
    assert (closed["status"], closed["comment_count"], closed["note_count"]) == ("closed", 0, 0)
    assert closed["version"] > source["version"]
    kinds = [(e["kind"], e["field"], e["new_value"]) for e in history(staff, source["id"])]
    assert ("merged_into", None, str(target["id"])) in kinds
    assert ("changed", "status", "closed") in kinds
    assert counts.check() == []


def test_the_requester_of_the_source_reads_the_public_part_of_the_target(pair):
    staff, customer, target, source = pair
    assert customer.get(f"/api/tickets/{target['id']}/").status_code == 404
    assert merge(staff, source["id"], target["id"], share=True).status_code == 200
    seen = customer.get(f"/api/tickets/{target['id']}/")
    assert seen.status_code == 200
    assert seen.json()["note_count"] is None
    bodies = [c["body"] for c in customer.get(f"/api/tickets/{target['id']}/comments/").json()]
    assert bodies == ["We sent a technician.", "It is getting worse."]
    public = history(customer, target["id"])
    assert all(e["comment"] is None or e["comment"]["public"] for e in public)
    assert customer.get(f"/api/tickets/{source['id']}/").json()["merged_into_id"] == target["id"]


def test_tickets_merged_into_the_source_follow_it(api, agent):
    staff = api(agent)
    first, second, third = (make_ticket(staff, f"Printer {n}") for n in range(3))
    comment(staff, first["id"], "From the first.")
    assert merge(staff, first["id"], second["id"]).status_code == 200
    assert merge(staff, second["id"], third["id"]).status_code == 200
    assert staff.get(f"/api/tickets/{first['id']}/").json()["merged_into_id"] == third["id"]
    moved = staff.get(f"/api/tickets/{third['id']}/comments/").json()
    assert [(c["body"], c["origin_ticket_id"]) for c in moved] == [("From the first.", first["id"])]
    assert counts.check() == []


def test_merges_that_cannot_be_are_refused_naming_into(api, agent):
    staff = api(agent)
    a, b, c = (make_ticket(staff, f"Printer {n}") for n in range(3))
    assert merge(staff, b["id"], a["id"]).status_code == 200
    cases = {
        (a["id"], a["id"]): "itself",
        (c["id"], b["id"]): f"merge into #{a['id']} instead",  # a merged target
        (b["id"], c["id"]): "already merged",  # a merged source
        (a["id"], b["id"]): "cycle",  # b went into a: a into b would loop
        (c["id"], 999_999): "no ticket",
    }
    for (source_id, into_id), words in cases.items():
        response = merge(staff, source_id, into_id)
        assert response.status_code == 400, (source_id, into_id)
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert error["field"] == "into"
        assert words in error["message"]
    assert merge(staff, 999_999, a["id"]).status_code == 404
    assert staff.get(f"/api/tickets/{c['id']}/").json()["merged_into_id"] is None
    assert counts.check() == []


def test_requesters_may_not_merge(api, requester):
    customer = api(requester)
    a, b = make_ticket(customer, "One"), make_ticket(customer, "Two")
    response = merge(customer, b["id"], a["id"])
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role (requester) may not merge tickets."
    assert customer.get(f"/api/tickets/{b['id']}/").json()["merged_into_id"] is None


@pytest.mark.parametrize("body", [{}, {"into": "two"}, {"into": 0}, {"into": 2, "x": 1}])
def test_bad_bodies_are_refused(api, agent, body):
    staff = api(agent)
    ticket = make_ticket(staff)
    response = staff.post(f"/api/tickets/{ticket['id']}/merge/", json=body)
    assert response.status_code == 400
