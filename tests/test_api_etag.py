"""Versions as ETags: `GET` sends one, `PATCH` with a stale `If-Match` is a 412 that writes
nothing (no history either), `If-None-Match` answers 304, and every change moves the version.

This is what keeps two agents from silently overwriting each other's edit of the same field.
"""

import pytest

from tests.support.api import make_ticket, refused
from tests.support.database import count_rows


def tag(version: int) -> str:
    return f'"{version}"'


@pytest.fixture
def ticket(api, agent):
    return make_ticket(api(agent), category="technical", priority="low")


def url(ticket) -> str:
    return f"/api/tickets/{ticket['id']}/"


def test_get_sends_the_version_as_etag(api, agent, ticket):
    response = api(agent).get(url(ticket))
    assert response.headers["etag"] == tag(ticket["version"]) == '"1"'


def test_a_matching_if_match_writes_and_answers_the_new_etag(api, agent, ticket):
    response = api(agent).patch(
        url(ticket), json={"priority": "high"}, headers={"If-Match": tag(ticket["version"])}
    )
    assert response.status_code == 200
    assert response.json()["version"] == ticket["version"] + 1
    assert response.headers["etag"] == tag(ticket["version"] + 1)
    assert api(agent).get(url(ticket)).headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize("stale", ['"1"', "1", 'W/"1"', '"banana"', '"99"'])
def test_a_stale_if_match_is_412_and_writes_nothing(api, engine, agent, ticket, stale):
    client = api(agent)
    moved = client.patch(url(ticket), json={"status": "in_progress"}).json()
    history_before = count_rows(engine, "ticket_history")
    response = client.patch(url(ticket), json={"priority": "critical"}, headers={"If-Match": stale})
    refused(response, 412)
    assert response.headers["etag"] == tag(moved["version"])
    assert client.get(url(ticket)).json() == moved
    assert count_rows(engine, "ticket_history") == history_before


def test_without_if_match_a_field_write_still_goes_through(api, agent, admin, ticket):
    api(admin).patch(url(ticket), json={"category": "billing"})
    response = api(agent).patch(url(ticket), json={"priority": "critical"})
    assert response.status_code == 200
    assert (response.json()["category"], response.json()["priority"]) == ("billing", "critical")


def test_if_match_star_means_any_version(api, agent, ticket):
    api(agent).patch(url(ticket), json={"status": "in_progress"})
    response = api(agent).patch(url(ticket), json={"status": "closed"}, headers={"If-Match": "*"})
    assert response.status_code == 200


def test_if_none_match_with_the_current_etag_is_304(api, agent, ticket):
    client = api(agent)
    current = client.get(url(ticket)).headers["etag"]
    unchanged = client.get(url(ticket), headers={"If-None-Match": current})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == current
    client.patch(url(ticket), json={"title": "Moved on"})
    changed = client.get(url(ticket), headers={"If-None-Match": current})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Moved on"


def test_a_comment_moves_the_version(api, agent, requester, ticket):
    before = api(agent).get(url(ticket)).headers["etag"]
    api(agent).post(f"{url(ticket)}comments/", json={"body": "Looking", "public": False})
    after = api(agent).get(url(ticket)).headers["etag"]
    assert after == tag(ticket["version"] + 1) != before
    refused(
        api(agent).patch(url(ticket), json={"priority": "high"}, headers={"If-Match": before}), 412
    )


def test_a_requester_never_learns_a_version_through_someone_elses_ticket(api, requester, ticket):
    response = api(requester).get(url(ticket), headers={"If-None-Match": '"1"'})
    refused(response, 404)
    assert "etag" not in response.headers


def test_a_weak_tag_never_matches_if_match(client):
    ticket = client.post(
        "/api/tickets/",
        json={"title": "t", "description": "d", "category": "general", "priority": "low"},
    ).json()
    url = f"/api/tickets/{ticket['id']}/"
    current = client.get(url).headers["etag"]
    response = client.patch(url, json={"priority": "high"}, headers={"If-Match": f"W/{current}"})
    assert response.status_code == 412
    assert (
        client.patch(url, json={"priority": "high"}, headers={"If-Match": current}).status_code
        == 200
    )
