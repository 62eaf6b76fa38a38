"""The conversation on a ticket: public replies and internal notes through
`/api/tickets/{id}/comments/`.

Internal notes must never reach a requester by any road (the list, its total, the ticket's
`note_count`, the history, a search), a requester's reply reopens a resolved or closed
ticket, and hostile bodies are refused by name without writing anything.
"""

import json

import pytest

from tests.support.api import make_ticket, refused, walk_pages
from tests.support.database import count_rows

SECRET_WORD = "quokkalation"  # only ever written in an internal note


def comments_url(ticket) -> str:
    return f"/api/tickets/{ticket['id']}/comments/"


def post(client, ticket, body: str, public: bool = True):
    return client.post(comments_url(ticket), json={"body": body, "public": public})


def test_a_reply_is_created_with_its_location_and_counted(api, agent, requester):
    ticket = make_ticket(api(requester))
    response = post(api(requester), ticket, "Line one\nLine <b>two</b>")
    assert response.status_code == 201, response.text
    comment = response.json()
    assert comment["body"] == "Line one\nLine <b>two</b>"  # plain text, kept as sent
    assert (comment["author_id"], comment["author_name"]) == (requester.id, "Rita Requester")
    assert (comment["public"], comment["ticket_id"]) == (True, ticket["id"])
    assert response.headers["location"] == f"{comments_url(ticket)}{comment['id']}/"
    after = api(agent).get(f"/api/tickets/{ticket['id']}/").json()
    assert (after["comment_count"], after["note_count"]) == (1, 0)
    assert after["version"] == ticket["version"] + 1


def test_the_location_of_a_new_comment_answers(api, agent):
    ticket = make_ticket(api(agent))
    response = post(api(agent), ticket, "Where do I live?")
    assert api(agent).get(response.headers["location"]).status_code == 200


def test_comments_come_oldest_first_in_cursor_pages_with_a_total(api, agent, requester):
    ticket = make_ticket(api(requester))
    for n in range(5):
        author = api(requester) if n % 2 else api(agent)
        assert post(author, ticket, f"Message {n}").status_code == 201
    items, totals = walk_pages(api(requester), f"{comments_url(ticket)}?limit=2")
    assert [item["body"] for item in items] == [f"Message {n}" for n in range(5)]
    assert totals == ["5", "5", "5"]
    refused(api(agent).get(f"{comments_url(ticket)}?limit=0"), 400, "limit")
    refused(api(agent).get(f"{comments_url(ticket)}?cursor=forged.cursor"), 400, "cursor")


def test_a_cursor_belongs_to_the_ticket_it_came_from(api, agent):
    first, second = make_ticket(api(agent)), make_ticket(api(agent))
    for ticket in (first, second):
        post(api(agent), ticket, "One")
        post(api(agent), ticket, "Two")
    page = api(agent).get(f"{comments_url(first)}?limit=1")
    cursor = page.headers["link"].split("cursor=")[1].split("&")[0].split(">")[0]
    assert api(agent).get(f"{comments_url(first)}?limit=1&cursor={cursor}").status_code == 200
    refused(api(agent).get(f"{comments_url(second)}?limit=1&cursor={cursor}"), 400, "cursor")


def test_internal_notes_never_reach_the_requester(api, agent, requester):
    ticket = make_ticket(api(requester), title="Laptop fan loud")
    post(api(agent), ticket, "We are looking at it.")
    note = post(api(agent), ticket, f"Customer seems {SECRET_WORD}.", public=False)
    assert note.status_code == 201
    assert note.json()["public"] is False
    staff, customer = api(agent), api(requester)

    listed = customer.get(comments_url(ticket))
    assert [c["body"] for c in listed.json()] == ["We are looking at it."]
    assert listed.headers["x-total-count"] == "1"
    assert SECRET_WORD not in customer.get(f"/api/tickets/{ticket['id']}/history/").text
    seen = customer.get(f"/api/tickets/{ticket['id']}/").json()
    assert (seen["comment_count"], seen["note_count"]) == (1, None)
    assert all(t["note_count"] is None for t in customer.get("/api/tickets/").json())
    searched = customer.get(f"/api/tickets/?search={SECRET_WORD}")
    assert (searched.json(), searched.headers["x-total-count"]) == ([], "0")

    assert staff.get(comments_url(ticket)).headers["x-total-count"] == "2"
    assert staff.get(f"/api/tickets/{ticket['id']}/").json()["note_count"] == 1
    assert SECRET_WORD in staff.get(f"/api/tickets/{ticket['id']}/history/").text


def test_a_requester_cannot_write_an_internal_note(api, engine, requester):
    ticket = make_ticket(api(requester))
    refused(post(api(requester), ticket, "Sneaky", public=False), 403, "public")
    assert count_rows(engine, "ticket_comments") == 0
    assert count_rows(engine, "ticket_history", "kind = 'commented'") == 0


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_a_requesters_reply_reopens_a_finished_ticket(api, agent, requester, status):
    ticket = make_ticket(api(requester))
    api(agent).patch(f"/api/tickets/{ticket['id']}/", json={"status": status})
    assert post(api(requester), ticket, "It is broken again").status_code == 201
    assert api(requester).get(f"/api/tickets/{ticket['id']}/").json()["status"] == "open"
    entries = api(requester).get(f"/api/tickets/{ticket['id']}/history/").json()
    reopened = [e for e in entries if e["kind"] == "reopened"]
    assert [(e["old_value"], e["new_value"], e["actor"]["id"]) for e in reopened] == [
        (status, "open", requester.id)
    ]


def test_staff_replies_and_open_tickets_reopen_nothing(api, agent, requester):
    closed = make_ticket(api(requester))
    api(agent).patch(f"/api/tickets/{closed['id']}/", json={"status": "closed"})
    post(api(agent), closed, "Closing note for the customer")
    working = make_ticket(api(requester))
    api(agent).patch(f"/api/tickets/{working['id']}/", json={"status": "in_progress"})
    post(api(requester), working, "Any news?")
    assert api(agent).get(f"/api/tickets/{closed['id']}/").json()["status"] == "closed"
    assert api(agent).get(f"/api/tickets/{working['id']}/").json()["status"] == "in_progress"
    for ticket in (closed, working):
        kinds = [e["kind"] for e in api(agent).get(f"/api/tickets/{ticket['id']}/history/").json()]
        assert "reopened" not in kinds


HOSTILE = [
    ({"body": "a\u0000b"}, "body"),
    ({"body": "lone \ud800 surrogate"}, "body"),
    ({"body": "  \n\t "}, "body"),
    ({"body": ""}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"body": 5}, "body"),
    ({"body": ["text"]}, "body"),
    ({"body": None}, "body"),
    ({"public": True}, "body"),
    ({"body": "Fine", "public": "maybe"}, "public"),
    ({"body": "Fine", "author_id": 1}, "author_id"),
    ({"body": "Fine", "colour": "red"}, "colour"),
    (b"not json", "body"),
    (b'["body"]', "body"),
]


@pytest.mark.parametrize(("payload", "field"), HOSTILE, ids=lambda v: repr(v)[:24])
def test_a_hostile_comment_is_400_by_name_and_writes_nothing(api, engine, agent, payload, field):
    ticket = make_ticket(api(agent))
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = api(agent).post(
        comments_url(ticket), content=raw, headers={"content-type": "application/json"}
    )
    refused(response, 400, field)
    assert count_rows(engine, "ticket_comments") == 0
    assert count_rows(engine, "ticket_history") == 1  # its `created` entry only
    assert api(agent).get(f"/api/tickets/{ticket['id']}/").json()["version"] == ticket["version"]


def test_a_body_of_exactly_20000_characters_is_kept_whole(api, agent):
    ticket = make_ticket(api(agent))
    response = post(api(agent), ticket, "y" * 20_000)
    assert response.status_code == 201
    assert len(api(agent).get(comments_url(ticket)).json()[0]["body"]) == 20_000


def test_comments_on_a_missing_ticket_are_404(api, agent):
    refused(api(agent).get("/api/tickets/424242/comments/"), 404)
    refused(post(api(agent), {"id": 424242}, "Hello?"), 404)
