"""Canned replies and macros over /api/canned-replies/: staff only, private unless an admin
shares them, placeholders checked when saved and filled when inserted, actions applied."""

from tests.support.api import make_ticket, refused

GREETING = (
    "Hello {{requester.first_name}}, about #{{ticket.id}} ({{ticket.title}}): {{agent.first_name}}"
)


def make(client, **fields):
    body = {"name": "Greeting", "body": GREETING, **fields}
    response = client.post("/api/canned-replies/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_inserting_fills_the_placeholders_from_the_ticket_and_the_agent(api, agent, requester):
    ticket = make_ticket(api(requester), "Printer jam", "Paper stuck")
    alan = api(agent)
    canned = make(alan)
    response = alan.post(f"/api/tickets/{ticket['id']}/canned-replies/{canned['id']}/insert/")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "body": f"Hello Rita, about #{ticket['id']} (Printer jam): Alan",
        "ticket": None,
    }
    assert alan.get(f"/api/tickets/{ticket['id']}/comments/").json() == []  # nothing sent


def test_an_unknown_placeholder_is_refused_when_saved(api, agent):
    alan = api(agent)
    fields = refused(
        alan.post("/api/canned-replies/", json={"name": "x", "body": "Hi {{customer.name}}"}),
        400,
        "body",
    )
    assert "{{customer.name}}" in fields["body"]
    assert "{{requester.first_name}}" in fields["body"]
    refused(
        alan.post("/api/canned-replies/", json={"name": "x", "body": "Hi {{requester"}), 400, "body"
    )
    canned = make(alan)
    refused(
        alan.patch(f"/api/canned-replies/{canned['id']}/", json={"body": "{{ticket.secret}}"}),
        400,
        "body",
    )
    assert alan.get(f"/api/canned-replies/{canned['id']}/").json()["body"] == GREETING


def test_a_macro_applies_its_actions_through_the_ticket_service(api, agent, requester):
    ticket = make_ticket(api(requester))
    alan = api(agent)
    macro = make(
        alan, name="Solved", body="Done.", status="resolved", priority="low", assignee_id=agent.id
    )
    answer = alan.post(f"/api/tickets/{ticket['id']}/canned-replies/{macro['id']}/insert/").json()
    assert answer["body"] == "Done."
    assert (answer["ticket"]["status"], answer["ticket"]["priority"]) == ("resolved", "low")
    assert answer["ticket"]["assignee_id"] == agent.id
    history = alan.get(f"/api/tickets/{ticket['id']}/history/").json()
    assert {entry.get("field") for entry in history} >= {"status", "priority"}


def test_a_macro_with_a_requester_as_assignee_is_refused(api, agent, requester):
    refused(
        api(agent).post(
            "/api/canned-replies/", json={"name": "m", "body": "b", "assignee_id": requester.id}
        ),
        400,
        "assignee_id",
    )


def test_private_replies_are_invisible_to_other_agents_and_admins_share(
    api, agent, admin, make_person
):
    bea = make_person("agent", "Bea")
    mine = make(api(agent), name="Alan's own")
    assert api(bea).get("/api/canned-replies/").json() == []
    for call in (api(bea).get, api(bea).delete):
        assert call(f"/api/canned-replies/{mine['id']}/").status_code == 404
    assert (
        api(bea).patch(f"/api/canned-replies/{mine['id']}/", json={"name": "x"}).status_code == 404
    )
    ticket = make_ticket(api(admin))
    assert (
        api(bea)
        .post(f"/api/tickets/{ticket['id']}/canned-replies/{mine['id']}/insert/")
        .status_code
        == 404
    )
    refused(
        api(agent).post("/api/canned-replies/", json={"name": "t", "body": "b", "shared": True}),
        403,
    )
    shared = make(api(admin), name="Team answer", shared=True)
    assert [c["name"] for c in api(bea).get("/api/canned-replies/").json()] == ["Team answer"]
    refused(api(bea).patch(f"/api/canned-replies/{shared['id']}/", json={"name": "Mine"}), 403)
    refused(api(bea).delete(f"/api/canned-replies/{shared['id']}/"), 403)


def test_requesters_have_no_canned_replies(api, agent, requester):
    canned = make(api(agent), shared=False)
    rita = api(requester)
    ticket = make_ticket(rita)
    refused(rita.get("/api/canned-replies/"), 403)
    refused(rita.post("/api/canned-replies/", json={"name": "x", "body": "y"}), 403)
    refused(rita.get(f"/api/canned-replies/{canned['id']}/"), 403)
    refused(rita.delete(f"/api/canned-replies/{canned['id']}/"), 403)
    refused(rita.post(f"/api/tickets/{ticket['id']}/canned-replies/{canned['id']}/insert/"), 403)


def test_search_finds_by_name_and_by_text(api, agent):
    alan = api(agent)
    make(alan, name="Refund steps", body="Your refund takes 5 days")
    make(alan, name="Password", body="Reset it from the sign-in page (50% of cases)")
    names = lambda q: [c["name"] for c in alan.get("/api/canned-replies/", params={"q": q}).json()]  # noqa: E731
    assert names("refund") == ["Refund steps"]
    assert names("SIGN-IN") == ["Password"]
    assert names("50%") == ["Password"]
    assert names("%") == ["Password"]  # a literal percent sign, not a wildcard
    assert names("") == ["Password", "Refund steps"]


def test_names_are_unique_per_author(api, agent):
    alan = api(agent)
    make(alan, name="Hello")
    refused(alan.post("/api/canned-replies/", json={"name": "hello", "body": "x"}), 400, "name")
