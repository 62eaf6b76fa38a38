"""`revisions.ticket_mark`: an open ticket page keeps what it read while the mark stands, so
the mark must move with every change the page shows, and must not be readable by anyone who
may not read the ticket.
"""

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine

from ticket_app.services import revisions, sla

from .test_sla_api import BERLIN, _set_up, file_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def mark(person: Any, ticket_id: int) -> Any:
    return revisions.ticket_mark(person.actor, ticket_id)


def test_the_mark_moves_with_each_change_the_page_shows_and_only_those(
    api, agent, requester, admin
):
    ticket = file_ticket(api(requester), triage=False)
    other = file_ticket(api(requester), triage=False)
    ticket_id, url = ticket["id"], f"/api/tickets/{ticket['id']}/"
    steps = {
        "a reply": lambda: api(agent).post(url + "comments/", json={"body": "On it."}),
        "an internal note": lambda: api(agent).post(
            url + "comments/", json={"body": "Looks like the gateway.", "public": False}
        ),
        "a status": lambda: api(agent).patch(url, json={"status": "in_progress"}),
        "an assignee": lambda: api(agent).patch(url, json={"assignee_id": agent.id}),
        "a file": lambda: api(requester).post(
            url + "comments/",
            data={"body": "A screenshot."},
            files=[("file", ("shot.png", PNG, "image/png"))],
        ),
    }
    seen = mark(agent, ticket_id)
    for name, step in steps.items():
        response = step()
        assert response.status_code in (200, 201), (name, response.text)
        moved = mark(agent, ticket_id)
        assert moved != seen, name
        seen = moved
    api(agent).patch(f"/api/tickets/{other['id']}/", json={"status": "closed"})
    api(agent).post(f"/api/tickets/{other['id']}/comments/", json={"body": "Done."})
    assert mark(agent, ticket_id) == seen  # another ticket's changes leave it standing


def test_the_service_level_sweep_moves_the_mark(client, api, agent) -> None:
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=BERLIN), tick=False):
        _set_up(client)
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        ticket = file_ticket(api(agent))
        api(agent).patch(f"/api/tickets/{ticket['id']}/", json={"assignee_id": agent.id})
        before = mark(agent, ticket["id"])
        clock.shift(timedelta(minutes=50))  # 80% of the first response's hour: a warning
        sla.sweep_all()
        assert mark(agent, ticket["id"]) != before


@pytest.mark.parametrize("who", ["another requester", "gone"])
def test_no_mark_for_whoever_may_not_read_the_ticket(api, make_person, requester, admin, who):
    ticket = file_ticket(api(requester), triage=False)
    if who == "gone":
        assert api(admin).delete(f"/api/tickets/{ticket['id']}/").status_code == 204
        assert mark(requester, ticket["id"]) is None
    else:
        assert mark(make_person("requester", "Sam Second"), ticket["id"]) is None
    assert mark(admin, ticket["id"] + 1000) is None


def test_many_marks_in_one_query_are_each_tickets_own(api, make_person, requester, agent):
    mine = [file_ticket(api(requester), triage=False)["id"] for _ in range(3)]
    theirs = file_ticket(api(make_person("requester", "Sam Second")), triage=False)["id"]
    api(agent).post(f"/api/tickets/{mine[1]}/comments/", json={"body": "On it."})
    wanted = [*mine, theirs, theirs + 1000]
    assert revisions.ticket_marks(agent.actor, wanted) == {
        ticket_id: mark(agent, ticket_id) for ticket_id in (*mine, theirs)
    }
    assert revisions.ticket_marks(requester.actor, wanted) == {  # only what they may read
        ticket_id: mark(requester, ticket_id) for ticket_id in mine
    }
    assert revisions.ticket_marks(agent.actor, []) == {}
