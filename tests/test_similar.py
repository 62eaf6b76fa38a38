"""Similar tickets through the REST API: an obvious duplicate is found with its reason, chatter
finds nothing, role rules hold, merged tickets are left out, and the index follows edits."""

import pytest

from tests.support.api import index_similar, make_ticket

DUPLICATE = {
    "title": "Charged twice for the Pro plan",
    "description": "My card was charged twice for the Pro plan this month; please refund one.",
}
OTHERS = [
    ("VPN drops every hour", "The VPN client disconnects every hour on Windows 11."),
    ("Export to CSV is empty", "The CSV export of the report module has no rows."),
    ("Cannot reset my password", "The password reset mail never arrives in my inbox."),
]


@pytest.fixture
def desk(api, agent):
    """An agent's client and a handful of tickets, one of them about a double charge."""
    client = api(agent)
    for title, description in OTHERS:
        make_ticket(client, title, description)
    charged = make_ticket(client, **DUPLICATE)
    index_similar()
    return client, charged


def test_an_obvious_duplicate_comes_first_with_its_reason(desk):
    client, charged = desk
    response = client.post(
        "/api/tickets/similar/",
        json={"title": "Double charge", "description": "I was charged twice, I want a refund"},
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found[0]["id"] == charged["id"]
    assert set(found[0]) == {"id", "title", "status", "created_at", "score", "reason"}
    assert 0.2 <= found[0]["score"] <= 1
    assert found[0]["reason"].startswith("same words: ")
    assert "charge" in found[0]["reason"]  # the word as the query wrote it first
    assert found[0]["status"] == "open"


def test_common_words_alone_find_nothing(desk):
    client, _ = desk
    for text in ("please help me", "Hello, I need assistance", "thanks in advance"):
        response = client.post("/api/tickets/similar/", json={"description": text})
        assert response.status_code == 200
        assert response.json() == []


def test_a_ticket_page_lists_its_duplicate_and_never_itself(desk):
    client, charged = desk
    again = make_ticket(
        client, "Refund please: charged twice", "Pro plan charged twice this month."
    )
    index_similar()
    found = client.get(f"/api/tickets/{again['id']}/similar/").json()
    assert [ticket["id"] for ticket in found][:1] == [charged["id"]]
    assert again["id"] not in [ticket["id"] for ticket in found]
    assert client.get(f"/api/tickets/{again['id']}/similar?limit=1").status_code == 200


def test_a_requester_sees_only_their_own_tickets(desk, api, requester, make_person):
    _, charged = desk
    mine_client = api(requester)
    mine = make_ticket(mine_client, "Charged twice again", "The Pro plan was charged twice.")
    other_requester = api(make_person("requester", "Rob Requester"))
    make_ticket(other_requester, "Charged twice too", "Pro plan charged twice, refund please.")
    index_similar()
    found = mine_client.post("/api/tickets/similar/", json=DUPLICATE).json()
    assert [ticket["id"] for ticket in found] == [mine["id"]]
    assert charged["id"] not in [ticket["id"] for ticket in found]
    assert mine_client.get(f"/api/tickets/{charged['id']}/similar/").status_code == 404


def test_merged_tickets_are_not_offered(desk):
    client, charged = desk
    duplicate = make_ticket(client, **DUPLICATE)
    index_similar()
    merged = client.post(f"/api/tickets/{duplicate['id']}/merge/", json={"into": charged["id"]})
    assert merged.status_code == 200, merged.text
    found = client.post("/api/tickets/similar/", json=DUPLICATE).json()
    assert [ticket["id"] for ticket in found] == [charged["id"]]


def test_the_index_follows_a_changed_text(desk):
    client, charged = desk
    patch = {"title": "Kerberos keytab rotation", "description": "Kerberos realm moved."}
    assert client.patch(f"/api/tickets/{charged['id']}/", json=patch).status_code == 200
    assert client.post("/api/tickets/similar/", json=DUPLICATE).json() == []
    found = client.post("/api/tickets/similar/", json={"title": "kerberos realm"}).json()
    assert [ticket["id"] for ticket in found] == [charged["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"title": "  ", "description": ""}, "body"),
        ({"title": "x" * 201}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"description": "vpn", "status": "open"}, "status"),
    ],
)
def test_bad_queries_are_refused_by_name(api, agent, body, field):
    response = api(agent).post("/api/tickets/similar/", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


def test_limit_out_of_range_is_refused(api, agent):
    response = api(agent).post("/api/tickets/similar/?limit=11", json={"title": "vpn"})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["limit"]


def test_similar_needs_a_token(api):
    assert api().post("/api/tickets/similar/", json={"title": "vpn"}).status_code == 401
    assert api().get("/api/tickets/1/similar/").status_code == 401
