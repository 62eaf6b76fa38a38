"""Assignment: who a ticket can be given to, and the `assignee` and `requester` filters
combined with every other filter, with totals compared against a brute-force count.

Totals with an assignee filter come from the `assignee_counts` table the triggers keep, so a
wrong trigger shows up here as an `X-Total-Count` that disagrees with the tickets.
"""

import itertools
from typing import Any

import pytest

from tests.support.api import make_ticket, refused, walk_pages

CATEGORIES = ["billing", "technical", "account"]
PRIORITIES = ["low", "high", "critical"]
STATUSES = ["open", "in_progress", "closed"]


def test_a_ticket_goes_to_an_active_agent_or_admin_and_back_to_nobody(api, admin, agent):
    client = api(agent)
    ticket = make_ticket(client)
    url = f"/api/tickets/{ticket['id']}/"
    for assignee in (agent.id, admin.id, None):
        response = client.patch(url, json={"assignee_id": assignee})
        assert response.status_code == 200, response.text
        assert response.json()["assignee_id"] == assignee
    assert client.get(url).json()["assignee_id"] is None


@pytest.mark.parametrize("who", ["requester", "inactive agent", "unknown", "zero", "text"])
def test_a_ticket_cannot_go_to_anyone_else(api, admin, agent, make_person, who):
    inactive = make_person("agent", "Gone Agent")
    api(admin).patch(f"/api/users/{inactive.id}/", json={"active": False})
    assignee = {
        "requester": make_person("requester").id,
        "inactive agent": inactive.id,
        "unknown": 987654,
        "zero": 0,
        "text": "me",
    }[who]
    ticket = make_ticket(api(agent))
    url = f"/api/tickets/{ticket['id']}/"
    api(agent).patch(url, json={"assignee_id": agent.id})
    refused(api(agent).patch(url, json={"assignee_id": assignee}), 400, "assignee_id")
    after = api(agent).get(url).json()
    assert (after["assignee_id"], after["version"]) == (agent.id, ticket["version"] + 1)


def _desk(api, admin, agent, other, requester) -> list[dict[str, Any]]:
    """27 tickets over three values of each field and four assignees; a third of them the
    requester's, a third with "router" in the title."""
    assignees = [None, agent.id, other.id, admin.id]
    made = []
    for n, (category, priority, status) in enumerate(
        itertools.product(CATEGORIES, PRIORITIES, STATUSES)
    ):
        title = f"Router {n} resets" if n % 3 == 0 else f"Ticket {n}"
        if n % 3 == 1:
            ticket = make_ticket(api(requester), title=title)
        else:
            ticket = make_ticket(api(admin), title=title, category=category, priority=priority)
        change = {"category": category, "priority": priority, "status": status}
        if assignees[n % 4] is not None:
            change["assignee_id"] = assignees[n % 4]
        made.append(api(agent).patch(f"/api/tickets/{ticket['id']}/", json=change).json())
    return made


def _person(value: str, viewer_id: int) -> int | None:
    """`me`, `none` or an id, as the filters mean them."""
    return {"me": viewer_id, "none": None}[value] if not value.isdigit() else int(value)


def _matches(ticket: dict[str, Any], params: dict[str, str], viewer_id: int) -> bool:
    """The list's filters, brute force."""
    for field in ("category", "priority", "status"):
        if field in params and ticket[field] not in params[field].split(","):
            return False
    for field, column in (("assignee", "assignee_id"), ("requester", "created_by")):
        if field in params and ticket[column] != _person(params[field], viewer_id):
            return False
    search = params.get("search", "").lower()
    return search in ticket["title"].lower() or search in ticket["description"].lower()


QUERIES = [
    {"assignee": "me"},
    {"assignee": "none"},
    {"assignee": "OTHER"},
    {"assignee": "me", "status": "open,in_progress"},
    {"assignee": "none", "category": "billing", "priority": "high,critical"},
    {"assignee": "OTHER", "status": "closed", "sort": "priority"},
    {"assignee": "me", "search": "router"},
    {"assignee": "none", "search": "router", "status": "open"},
    {"requester": "me"},
    {"requester": "REQUESTER"},
    {"requester": "REQUESTER", "assignee": "none"},
    {"requester": "REQUESTER", "status": "closed", "category": "technical,account"},
    {"requester": "REQUESTER", "search": "ticket", "sort": "oldest"},
    {"requester": "REQUESTER", "assignee": "me", "priority": "low", "sort": "activity"},
    {"status": "open", "search": "router"},
]


def test_assignee_and_requester_filters_combine_with_every_other_with_exact_totals(
    api, admin, agent, make_person
):
    other = make_person("agent", "Olga Other")
    requester = make_person("requester", "Rhea Requester")
    tickets = _desk(api, admin, agent, other, requester)
    names = {"OTHER": str(other.id), "REQUESTER": str(requester.id)}
    checked = set()
    for viewer in (agent, admin):
        for query in QUERIES:
            params = {key: names.get(value, value) for key, value in query.items()}
            expected = {t["id"] for t in tickets if _matches(t, params, viewer.id)}
            url = "/api/tickets/?limit=4&" + "&".join(f"{k}={v}" for k, v in params.items())
            items, totals = walk_pages(api(viewer), url)
            listed = [ticket["id"] for ticket in items]
            assert sorted(listed) == sorted(expected), url
            assert set(totals) == {str(len(expected))}, url
            stats = api(viewer).get(url.replace("/api/tickets/", "/api/tickets/stats/"))
            assert stats.json()["total_tickets"] == len(expected), url
            checked.add(len(expected))
    assert len(checked) > 5  # the queries are not all empty, nor all the same size


def test_a_requester_filter_by_me_is_each_users_own(api, agent, requester):
    mine = make_ticket(api(requester))
    make_ticket(api(agent))
    for person, expected in ((requester, [mine["id"]]), (agent, None)):
        response = api(person).get("/api/tickets/?requester=me")
        listed = [ticket["id"] for ticket in response.json()]
        if expected is not None:
            assert listed == expected
        else:
            assert mine["id"] not in listed
            assert len(listed) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("assignee=someone", "assignee"),
        ("assignee=-3", "assignee"),
        ("requester=none", "requester"),
        ("requester=99999999999", "requester"),
        ("sort=alphabetical", "sort"),
    ],
)
def test_a_bad_assignee_requester_or_sort_is_named(client, query, field):
    refused(client.get(f"/api/tickets/?{query}"), 400, field)
