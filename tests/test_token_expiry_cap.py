"""A token made with a token expires no later than the token that made it: a one-day token
must not mint one that never expires (or lasts a year). A token without expiry, and a
browser session, impose nothing."""

from datetime import datetime, timedelta

from tests.support.api import bearer


def made(client, **body) -> dict:
    response = client.post("/api/tokens/", json={"name": "child", **body})
    assert response.status_code == 201, response.text
    return response.json()


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_a_token_made_with_a_one_day_token_expires_with_it(api, requester):
    parent = made(api(requester), name="one day", expires_in_days=1)
    assert when(parent["expires_at"]) - when(parent["created_at"]) == timedelta(days=1)
    through_parent = api()
    through_parent.headers.update(bearer(parent["token"]))
    for body in ({}, {"expires_in_days": 365}):
        child = made(through_parent, **body)
        assert child["expires_at"] is not None, body
        assert when(child["expires_at"]) == when(parent["expires_at"]), body
    shorter = made(through_parent, expires_in_days=1)  # later than the parent by a moment
    assert when(shorter["expires_at"]) == when(parent["expires_at"])


def test_a_shorter_expiry_than_the_parents_is_kept(api, requester):
    parent = made(api(requester), name="a month", expires_in_days=30)
    through_parent = api()
    through_parent.headers.update(bearer(parent["token"]))
    child = made(through_parent, expires_in_days=2)
    assert when(child["expires_at"]) - when(child["created_at"]) == timedelta(days=2)


def test_a_token_without_expiry_imposes_nothing(api, requester):
    child = made(api(requester))  # the fixture's token never expires
    assert child["expires_at"] is None
