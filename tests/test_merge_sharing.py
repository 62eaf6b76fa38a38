"""A merge never joins two customers unasked (security review, issue 21).

An agent merged requester Rita's ticket into requester Sam's: Rita then read Sam's
description and replies, posted into his ticket and found his email in her CSV export; Sam
read Rita's replies. Now a merge across different requesters is refused, naming
`share_with_requester` and saying who would read what, and changes nothing; confirmed, Rita
becomes a participant of Sam's ticket and exactly what the refusal named is shared: she reads
and replies to its public part by its link (never its internal notes, never Sam's email, never
through her lists or exports), and Sam reads the replies that came with her ticket (not its
description)."""

import csv
import io

import pytest

from ticket_app.services import counts

SECRET = "My account number is 4711, my address is 1 Main Street."


def post(client, url, body, status=201):
    response = client.post(url, json=body)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def desk(api, make_person, agent):
    """Rita's ticket (one reply of hers) and Sam's (his secret description, his reply, the
    agent's reply and an internal note)."""
    rita_person = make_person("requester", "Rita Requester")
    sam_person = make_person("requester", "Sam Sample")
    rita, sam, staff = api(rita_person), api(sam_person), api(agent)
    ritas = post(rita, "/api/tickets/", {"title": "Printer smokes", "description": "Smoke!"})
    post(rita, f"/api/tickets/{ritas['id']}/comments/", {"body": "Rita: worse now"})
    sams = post(sam, "/api/tickets/", {"title": "Printer on fire", "description": SECRET})
    post(sam, f"/api/tickets/{sams['id']}/comments/", {"body": "Sam: flames"})
    post(staff, f"/api/tickets/{sams['id']}/comments/", {"body": "Agent: technician sent"})
    note = {"body": "Internal: Sam is a VIP", "public": False}
    post(staff, f"/api/tickets/{sams['id']}/comments/", note)
    return {
        "rita": rita,
        "sam": sam,
        "staff": staff,
        "ritas": ritas["id"],
        "sams": sams["id"],
        "rita_id": rita_person.id,
        "sam_email": sam_person.actor.email,
    }


def merge(client, source, into, **extra):
    return client.post(f"/api/tickets/{source}/merge/", json={"into": into, **extra})


def bodies(client, ticket_id):
    response = client.get(f"/api/tickets/{ticket_id}/comments/?limit=200")
    assert response.status_code == 200, response.text
    return [comment["body"] for comment in response.json()]


def export(client) -> str:
    response = client.get("/api/tickets/export.csv")
    assert response.status_code == 200
    return response.content.decode("utf-8")


def assert_apart(d):
    """Neither requester reaches anything of the other's ticket."""
    rita, sam, ritas, sams = d["rita"], d["sam"], d["ritas"], d["sams"]
    for path in ("", "comments/", "history/", "similar/"):
        assert rita.get(f"/api/tickets/{sams}/{path}").status_code == 404, path
        assert sam.get(f"/api/tickets/{ritas}/{path}").status_code == 404, path
    assert rita.post(f"/api/tickets/{sams}/comments/", json={"body": "hi"}).status_code == 404
    assert sams not in [t["id"] for t in rita.get("/api/tickets/").json()]
    assert SECRET not in export(rita)
    assert d["sam_email"] not in export(rita)
    assert bodies(sam, sams) == ["Sam: flames", "Agent: technician sent"]
    assert "Rita: worse now" in bodies(rita, ritas)


def test_without_a_merge_neither_requester_sees_the_others_ticket(desk):
    assert_apart(desk)


def test_a_merge_across_requesters_without_confirmation_changes_nothing(desk):
    d = desk
    response = merge(d["staff"], d["ritas"], d["sams"])
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "share_with_requester"
    message = error["message"]
    assert f"Rita Requester (of #{d['ritas']}) would read #{d['sams']}" in message
    assert f"Sam Sample (of #{d['sams']}) would read the public replies of #{d['ritas']}" in message
    assert "Internal notes stay with the staff" in message
    for refused in ({"share_with_requester": False}, {"share_with_requester": "yes"}):
        assert merge(d["staff"], d["ritas"], d["sams"], **refused).status_code == 400
    assert d["staff"].get(f"/api/tickets/{d['ritas']}/").json()["merged_into_id"] is None
    assert d["staff"].get(f"/api/tickets/{d['sams']}/").json()["participants"] == []
    assert_apart(d)
    assert counts.check() == []


def test_a_confirmed_merge_shares_exactly_what_it_said(desk):
    d = desk
    rita, sam, ritas, sams = d["rita"], d["sam"], d["ritas"], d["sams"]
    response = merge(d["staff"], ritas, sams, share_with_requester=True)
    assert response.status_code == 200, response.text
    assert response.json()["participants"] == [{"id": d["rita_id"], "name": "Rita Requester"}]

    # Rita reads Sam's ticket, its description and public replies, by its link...
    seen = rita.get(f"/api/tickets/{sams}/")
    assert seen.status_code == 200
    assert (seen.json()["description"], seen.json()["note_count"]) == (SECRET, None)
    assert seen.json()["participants"] == [{"id": d["rita_id"], "name": "Rita Requester"}]
    public = ["Rita: worse now", "Sam: flames", "Agent: technician sent"]  # by age
    assert bodies(rita, sams) == public
    history = rita.get(f"/api/tickets/{sams}/history/?limit=200").json()
    assert all(e["comment"] is None or e["comment"]["public"] for e in history)
    assert "VIP" not in str(history)
    # ...and replies there like its requester, but writes no note and closes nothing.
    post(rita, f"/api/tickets/{sams}/comments/", {"body": "Rita: still smoking"})
    note = {"body": "let me in", "public": False}
    assert rita.post(f"/api/tickets/{sams}/comments/", json=note).status_code == 403
    assert rita.patch(f"/api/tickets/{sams}/", json={"status": "closed"}).status_code == 403

    # Sam reads the replies that came with Rita's ticket, never her ticket itself.
    assert bodies(sam, sams) == [*public, "Rita: still smoking"]
    assert sam.get(f"/api/tickets/{ritas}/").status_code == 404

    # Lists and exports stay to one's own tickets: Rita's shows hers (closed, merged), and
    # never Sam's ticket, his description nor his email.
    assert [t["id"] for t in rita.get("/api/tickets/").json()] == [ritas]
    _, *rows = list(csv.reader(io.StringIO(export(rita).removeprefix("\ufeff"))))
    assert [(row[0], row[5], row[13]) for row in rows] == [(str(ritas), "closed", str(sams))]
    assert d["sam_email"] not in export(rita)
    assert SECRET not in export(rita)
    assert counts.check() == []


def test_the_same_requesters_tickets_merge_without_confirmation(desk):
    d = desk
    again = post(d["rita"], "/api/tickets/", {"title": "Printer again", "description": "Smoke"})
    assert merge(d["staff"], again["id"], d["ritas"]).status_code == 200
    assert d["staff"].get(f"/api/tickets/{d['ritas']}/").json()["participants"] == []
    assert_apart(d)


def test_participants_follow_a_second_merge_with_a_new_confirmation(desk, api, make_person):
    """Sam's ticket (Rita participating) merged into Tom's: both are named, both join."""
    d = desk
    tom = api(make_person("requester", "Tom Third"))
    toms = post(tom, "/api/tickets/", {"title": "Printer burns", "description": "Fire"})["id"]
    assert merge(d["staff"], d["ritas"], d["sams"], share_with_requester=True).status_code == 200
    refused = merge(d["staff"], d["sams"], toms)
    assert refused.status_code == 400
    assert "Rita Requester, Sam Sample (of #" in refused.json()["errors"][0]["message"]
    assert tom.get(f"/api/tickets/{d['sams']}/").status_code == 404
    joined = merge(d["staff"], d["sams"], toms, share_with_requester=True).json()
    assert [p["name"] for p in joined["participants"]] == ["Rita Requester", "Sam Sample"]
    assert d["rita"].get(f"/api/tickets/{toms}/").status_code == 200
    assert tom.get(f"/api/tickets/{d['sams']}/").status_code == 404  # the merged one stays
