"""Listing: filters, comma lists, search, newest first, totals and cursor pagination."""

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.api import make_ticket, next_link, problem_fields

CATEGORIES = ["billing", "technical", "account", "general"]
PRIORITIES = ["low", "medium", "high", "critical"]
STATUSES = ["open", "in_progress", "resolved", "closed"]


@pytest.fixture
def mixed(client):
    """One ticket per category x priority x status combination (64 tickets)."""
    tickets = []
    for n, (category, priority, status) in enumerate(
        itertools.product(CATEGORIES, PRIORITIES, STATUSES)
    ):
        tickets.append(
            make_ticket(
                client,
                title=f"Ticket {n} {category}",
                description=f"{priority} trouble number {n}",
                category=category,
                priority=priority,
                status=status,
            )
        )
    return tickets


def ids(response):
    assert response.status_code == 200, response.text
    return [ticket["id"] for ticket in response.json()]


def test_empty_list_is_an_empty_array_with_zero_total(client):
    response = client.get("/api/tickets/")
    assert response.json() == []
    assert response.headers["x-total-count"] == "0"
    assert "link" not in response.headers


def test_newest_first(client):
    first, second, third = (make_ticket(client, title=f"T{n}") for n in range(3))
    assert ids(client.get("/api/tickets/")) == [third["id"], second["id"], first["id"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", lambda t: t["status"] == "open"),
        ("status=open,in_progress", lambda t: t["status"] in {"open", "in_progress"}),
        (
            "category=billing&priority=high",
            lambda t: (t["category"], t["priority"]) == ("billing", "high"),
        ),
        (
            "category=billing,account&priority=low,critical&status=closed",
            lambda t: (
                t["category"] in {"billing", "account"}
                and t["priority"] in {"low", "critical"}
                and t["status"] == "closed"
            ),
        ),
        ("status=%20open%20,%20closed", lambda t: t["status"] in {"open", "closed"}),
    ],
)
def test_filters_and_comma_lists_with_matching_total(client, mixed, query, expected):
    response = client.get(f"/api/tickets/?{query}&limit=200")
    wanted = sorted((t["id"] for t in mixed if expected(t)), reverse=True)
    assert ids(response) == wanted
    assert response.headers["x-total-count"] == str(len(wanted))


def test_search_is_a_case_insensitive_substring_of_title_or_description(client):
    a = make_ticket(client, title="VPN drops every hour", description="Since Monday.")
    b = make_ticket(client, title="Invoice question", description="The vpn invoice is wrong")
    make_ticket(client, title="Unrelated", description="Nothing here")
    assert sorted(ids(client.get("/api/tickets/?search=VpN"))) == sorted([a["id"], b["id"]])
    assert ids(client.get("/api/tickets/?search=drops%20every")) == [a["id"]]
    assert ids(client.get("/api/tickets/?search=nvoi")) == [b["id"]]
    assert ids(client.get("/api/tickets/?search=zzz")) == []


@pytest.mark.parametrize("text", ["io", "X", "...", "a-b", "1 2 3", "%", "r_i", "  ab  "])
def test_a_search_no_index_can_serve_is_refused_by_name(client, text):
    make_ticket(client, title="Fix IO a-b 1 2 3 ... 100% r_i", description="x")
    response = client.get("/api/tickets/", params={"search": text})
    assert response.status_code == 400
    assert "3 letters or digits in a row" in problem_fields(response)["search"]
    assert client.get("/api/tickets/stats/", params={"search": text}).status_code == 400


def test_three_letters_in_a_row_are_enough_whatever_surrounds_them(client):
    a = make_ticket(client, title="Fix the VPN (again)", description="x")
    make_ticket(client, title="Other", description="y")
    assert ids(client.get("/api/tickets/?search=vpn")) == [a["id"]]
    assert ids(client.get("/api/tickets/?search=(again)")) == [a["id"]]


def test_search_treats_percent_underscore_and_quotes_as_plain_characters(client):
    percent = make_ticket(client, title="Discount of 100% missing", description="d")
    underscore = make_ticket(client, title="Field user_id empty", description="d")
    quoted = make_ticket(client, title='He said "hello" twice', description="d")
    make_ticket(client, title="100 percent userXid", description="d")
    assert ids(client.get("/api/tickets/?search=100%25")) == [percent["id"]]
    assert ids(client.get("/api/tickets/?search=user_id")) == [underscore["id"]]
    assert ids(client.get('/api/tickets/?search="hello"')) == [quoted["id"]]
    assert ids(client.get("/api/tickets/?search=\\hello")) == []


def test_search_combines_with_filters_and_total(client, mixed):
    response = client.get("/api/tickets/?search=TROUBLE&priority=high&status=open,closed")
    wanted = [
        t["id"] for t in mixed if t["priority"] == "high" and t["status"] in {"open", "closed"}
    ]
    assert sorted(ids(response)) == sorted(wanted)
    assert response.headers["x-total-count"] == str(len(wanted))


def test_search_sees_edits_and_deletes(client):
    ticket = make_ticket(client, title="Keyboard broken", description="keys stuck")
    client.patch(f"/api/tickets/{ticket['id']}/", json={"title": "Mouse broken"})
    assert ids(client.get("/api/tickets/?search=keyboard")) == []
    assert ids(client.get("/api/tickets/?search=mouse")) == [ticket["id"]]
    client.delete(f"/api/tickets/{ticket['id']}/")
    assert ids(client.get("/api/tickets/?search=mouse")) == []


def test_pages_walk_every_ticket_exactly_once_while_tickets_are_added(client, mixed):
    seen = []
    url = "/api/tickets/?limit=7&status=open,closed"
    expected = sorted((t["id"] for t in mixed if t["status"] in {"open", "closed"}), reverse=True)
    pages = 0
    while url:
        response = client.get(url)
        seen += ids(response)
        assert response.headers["x-total-count"] == str(len(expected) + pages)
        make_ticket(client, title=f"added while paging {pages}")  # lands before the cursor
        pages += 1
        url = next_link(response)
    assert seen == expected
    assert pages == -(-len(expected) // 7)


def test_link_keeps_filters_and_limit(client, mixed):
    response = client.get("/api/tickets/?category=billing&limit=5")
    query = parse_qs(urlsplit(next_link(response)).query)
    assert query["category"] == ["billing"]
    assert query["limit"] == ["5"]
    assert "cursor" in query


def test_last_page_has_no_link(client):
    make_ticket(client)
    assert "link" not in client.get("/api/tickets/?limit=1").headers


def test_a_cursor_only_works_for_the_filters_it_came_from(client, mixed):
    response = client.get("/api/tickets/?status=open&limit=3")
    cursor = parse_qs(urlsplit(next_link(response)).query)["cursor"][0]
    assert client.get(f"/api/tickets/?status=open&cursor={cursor}").status_code == 200
    assert client.get(f"/api/tickets/?status=closed&cursor={cursor}").status_code == 400


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature altered
        lambda c: "A" + c[1:] if c[0] != "A" else "B" + c[1:],  # payload altered
        lambda c: c.split(".")[0],  # signature dropped
        lambda c: "!!!." + c.split(".")[1],  # not base64
        lambda c: c.split(".")[0] + ".\u00e9t\u00e9",  # a non-ASCII signature (was a 500)
        lambda c: "\u00e9t\u00e9." + c.split(".")[1],  # a non-ASCII payload
    ],
)
def test_forged_cursors_are_rejected(client, mixed, mangle):
    response = client.get("/api/tickets/?limit=3")
    cursor = parse_qs(urlsplit(next_link(response)).query)["cursor"][0]
    forged = client.get("/api/tickets/", params={"cursor": mangle(cursor)})
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["field"] == "cursor"


def test_limit_bounds(client):
    for n in range(3):
        make_ticket(client, title=f"T{n}")
    assert len(client.get("/api/tickets/?limit=1").json()) == 1
    assert len(client.get("/api/tickets/?limit=200").json()) == 3
    assert len(client.get("/api/tickets/").json()) == 3


def test_a_search_total_stops_at_the_cap_and_says_so(client, monkeypatch):
    from ticket_app.services import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    matching = [make_ticket(client, title=f"Printer {n} jams") for n in range(5)]
    make_ticket(client, title="Other")
    first = client.get("/api/tickets/?search=printer&limit=2")
    assert first.headers["x-total-count"] == "3"
    assert first.headers["x-total-count-capped"] == "true"
    seen, url = [], "/api/tickets/?search=printer&limit=2"
    while url:  # the cap limits the count, never the pages
        response = client.get(url)
        seen += ids(response)
        url = next_link(response)
    assert seen == [t["id"] for t in reversed(matching)]
    exact = client.get("/api/tickets/?search=other")
    assert exact.headers["x-total-count"] == "1"
    assert "x-total-count-capped" not in exact.headers
    assert "x-total-count-capped" not in client.get("/api/tickets/").headers
