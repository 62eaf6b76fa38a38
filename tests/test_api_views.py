"""Saved views over /api/views/: per user, shared by admins, built-in ones, live counts."""


def make(client, **fields):
    response = client.post("/api/views/", json={"name": "Mine", "query": "status=open", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_view_saves_the_lists_query_normalised_and_counts_it(api, agent, client):
    for priority in ("high", "high", "low"):
        client.post(
            "/api/tickets/",
            json={"title": "t", "description": "d", "category": "general", "priority": priority},
        )
    alan = api(agent)
    view = make(alan, name="High ones", query="?sort=priority&priority=high&status=open")
    assert view["query"] == "priority=high&status=open&sort=priority"
    assert (view["count"], view["count_capped"]) == (2, False)
    names = [v["name"] for v in alan.get("/api/views/").json()]
    assert names == [
        "High ones",
        "My open tickets",
        "Unassigned",
        "Critical and open",
        "Breached",
        "Due within an hour",
    ]
    unassigned = next(v for v in alan.get("/api/views/").json() if v["name"] == "Unassigned")
    assert (unassigned["count"], unassigned["built_in"], unassigned["id"]) == (3, True, None)


def test_views_are_per_user_and_admins_share(api, agent, make_person, client):
    bea = make_person("agent", "Bea")
    mine = make(api(agent), name="Alan's")
    assert "Alan's" not in [v["name"] for v in api(bea).get("/api/views/").json()]
    assert api(bea).delete(f"/api/views/{mine['id']}/").status_code == 404
    assert (
        api(agent)
        .post("/api/views/", json={"name": "Team", "query": "", "shared": True})
        .status_code
        == 403
    )
    shared = make(client, name="Team", shared=True)
    assert "Team" in [v["name"] for v in api(bea).get("/api/views/").json()]
    assert (
        api(bea).patch(f"/api/views/{shared['id']}/", json={"name": "Mine now"}).status_code == 403
    )
    assert client.delete(f"/api/views/{shared['id']}/").status_code == 204


def test_bad_views_are_refused_by_name(api, agent):
    alan = api(agent)
    make(alan, name="Twice")
    for body, field in [
        ({"name": "twice", "query": ""}, "name"),
        ({"name": " ", "query": ""}, "name"),
        ({"name": "x", "query": "status=nope"}, "status"),
        ({"name": "x", "query": "colour=red"}, "query"),
        ({"name": "x", "query": "search=ab"}, "search"),
        ({"name": "x", "query": "q" * 1001}, "query"),
    ]:
        response = alan.post("/api/views/", json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}


def test_a_requesters_view_counts_only_their_tickets(api, requester, client):
    client.post(
        "/api/tickets/",
        json={"title": "t", "description": "d", "category": "general", "priority": "low"},
    )
    rita = api(requester)
    rita.post("/api/tickets/", json={"title": "mine", "description": "d"})
    view = make(rita, name="Open", query="status=open")
    assert view["count"] == 1
    assert [v["name"] for v in rita.get("/api/views/").json()] == ["Open"]  # no built-ins
