"""The token gate: every API route but health, OpenAPI and docs answers 401 without a valid
`Authorization: Bearer` token, whatever is wrong with it, and `/api/me/` names its user.

The walk over the OpenAPI document is what keeps a new route from shipping unprotected: it
fails the moment a route is added to a router that is not behind the token dependency.
"""

import re

import pytest
import sqlalchemy as sa

from tests.support.api import refused
from ticket_app.services import credentials

PUBLIC = {"/api/health/"}
NOT_A_TOKEN = "sdt_" + "x" * 43  # the shape of ours, but no such token exists


def assert_not_signed_in(response) -> None:
    refused(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


PAST = "2000-01-01T00:00:00+00:00"
SPOIL = {  # what makes a working token stop working, as raw SQL
    "expired": "UPDATE api_tokens SET expires_at = :past WHERE id = :token",
    "revoked": "UPDATE api_tokens SET revoked_at = :past WHERE id = :token",
    "deactivated user": "UPDATE users SET active = :no WHERE id = :user",
}


def _authorization(kind: str, engine, api, person) -> str | None:
    """An Authorization header that must not get in, of the given kind."""
    plain = {
        "missing": None,
        "other scheme": f"Basic {person.token}",
        "empty bearer": "Bearer ",
        "malformed": "Bearer not-a-token",
        "unknown": f"Bearer {NOT_A_TOKEN}",
    }
    if kind in plain:
        return plain[kind]
    created = api(person).post("/api/tokens/", json={"name": kind, "expires_in_days": 30}).json()
    with engine.begin() as connection:
        connection.execute(
            sa.text(SPOIL[kind]),
            {"past": PAST, "token": created["id"], "user": person.id, "no": False},
        )
    credentials.forget_all()  # as the brief cache does within seconds of a raw change
    return f"Bearer {created['token']}"


@pytest.mark.parametrize(
    "kind",
    [
        "missing",
        "other scheme",
        "empty bearer",
        "malformed",
        "unknown",
        "expired",
        "revoked",
        "deactivated user",
    ],
)
def test_a_bad_token_is_a_401_problem_with_a_bearer_challenge(engine, api, make_person, kind):
    person = make_person("agent", "Tessa Token")
    header = _authorization(kind, engine, api, person)
    headers = {"Authorization": header} if header is not None else {}
    response = api().get("/api/tickets/", headers=headers)
    assert_not_signed_in(response)
    if kind != "missing":
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert api(person).get("/api/me/").status_code == (401 if kind == "deactivated user" else 200)


def test_the_bearer_scheme_is_case_insensitive(api, agent):
    response = api().get("/api/me/", headers={"Authorization": f"bearer {agent.token}"})
    assert response.status_code == 200


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_documented_route_but_health_needs_a_token(api, admin):
    anonymous = api()
    spec = anonymous.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert set(paths) >= PUBLIC
    checked = 0
    for path, operations in paths.items():
        for method in operations:
            for url in {_concrete(path), _concrete(path).rstrip("/")}:
                response = anonymous.request(method.upper(), url)
                if path in PUBLIC:
                    assert response.status_code == 200, (method, url)
                    continue
                assert response.status_code == 401, (method, url, response.status_code)
                assert_not_signed_in(response)
                checked += 1
    assert checked >= 2 * 12  # the identity routes are in the document too
    assert anonymous.get("/api/docs").status_code == 200


def test_a_bad_body_without_a_token_is_still_a_401(api):
    """The gate comes first: an anonymous caller learns nothing from validation messages."""
    response = api().post("/api/tickets/", json={"title": 5, "colour": "red"})
    assert_not_signed_in(response)


@pytest.mark.parametrize("role", ["admin", "agent", "requester"])
def test_me_names_the_token_user(api, make_person, role):
    person = make_person(role, "Mona Me")
    response = api(person).get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": person.id,
        "email": "mona.me@example.com",
        "name": "Mona Me",
        "role": role,
    }
