"""Personal API tokens through `/api/tokens/`, and users managed by admins through
`/api/users/`: who may, the last-admin rule, and that taking access away really ends it
(sessions revoked, tokens refused).

Sessions are checked with `sessions.resolve`, as every page load and websocket event does.
"""

import contextlib
import threading

import pytest

from tests.support.api import bearer, refused
from tests.support.passwords import PASSWORD, cheap_passwords
from ticket_app.services import sessions, users
from ticket_app.services.errors import Forbidden


@pytest.fixture(autouse=True)
def password_hash(monkeypatch) -> str:
    """Cheap hashes (see `cheap_passwords`): users are created and re-passworded here."""
    return cheap_passwords(monkeypatch)


def test_a_new_token_shows_its_secret_once_and_works(api, requester):
    client = api(requester)
    response = client.post("/api/tokens/", json={"name": "Laptop script"})
    assert response.status_code == 201
    created = response.json()
    secret = created["token"]
    assert secret.startswith("sdt_")
    assert len(secret) == 47
    assert created["prefix"] == secret[:12]
    assert response.headers["location"] == f"/api/tokens/{created['id']}/"
    listed = client.get("/api/tokens/")
    assert listed.status_code == 200
    assert secret not in listed.text
    mine = {token["id"]: token for token in listed.json()}
    assert "token" not in mine[created["id"]]
    assert mine[created["id"]]["prefix"] == created["prefix"]
    assert mine[created["id"]]["name"] == "Laptop script"
    me = api().get("/api/me/", headers=bearer(secret))
    assert me.json()["id"] == requester.id


def test_the_location_of_a_new_token_answers(api, agent):
    response = api(agent).post("/api/tokens/", json={"name": "Where?"})
    assert api(agent).get(response.headers["location"]).status_code == 200


def test_a_revoked_token_stops_working_at_once(api, agent):
    created = api(agent).post("/api/tokens/", json={"name": "Soon gone"}).json()
    own = bearer(created["token"])
    assert api().get("/api/me/", headers=own).status_code == 200
    assert api(agent).delete(f"/api/tokens/{created['id']}/").status_code == 204
    refused(api().get("/api/me/", headers=own), 401)
    listed = {token["id"]: token for token in api(agent).get("/api/tokens/").json()}
    assert listed[created["id"]]["revoked_at"] is not None
    assert api(agent).get("/api/me/").status_code == 200  # only that token went


def test_someone_elses_token_is_not_found_and_keeps_working(api, admin, agent):
    theirs = api(agent).post("/api/tokens/", json={"name": "Agent's"}).json()
    response = api(admin).delete(f"/api/tokens/{theirs['id']}/")
    refused(response, 404)
    assert theirs["id"] not in {token["id"] for token in api(admin).get("/api/tokens/").json()}
    assert api().get("/api/me/", headers=bearer(theirs["token"])).json()["id"] == agent.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 3651}, "expires_in_days"),
        ({"name": "   "}, "name"),
        ({}, "name"),
        ({"name": "x", "scopes": ["all"]}, "scopes"),
    ],
)
def test_a_bad_token_request_is_400_and_makes_no_token(api, agent, body, field):
    before = len(api(agent).get("/api/tokens/").json())
    refused(api(agent).post("/api/tokens/", json=body), 400, field)
    assert len(api(agent).get("/api/tokens/").json()) == before


@pytest.mark.parametrize("role", ["agent", "requester"])
def test_only_admins_manage_users(api, make_person, admin, role):
    client = api(make_person(role))
    new = {"email": "new@example.com", "name": "New", "role": "admin", "password": PASSWORD}
    for response in (
        client.get("/api/users/"),
        client.post("/api/users/", json=new),
        client.get(f"/api/users/{admin.id}/"),
        client.patch(f"/api/users/{admin.id}/", json={"role": "requester"}),
    ):
        refused(response, 403)
    assert api(admin).get(f"/api/users/{admin.id}/").json()["role"] == "admin"
    emails = {user["email"] for user in api(admin).get("/api/users/").json()}
    assert "new@example.com" not in emails


def test_admins_list_create_and_change_users(api, admin):
    client = api(admin)
    body = {
        "email": " Nina@Example.COM ",
        "name": "Nina New",
        "role": "agent",
        "password": PASSWORD,
    }
    response = client.post("/api/users/", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert (user["email"], user["role"], user["active"]) == ("nina@example.com", "agent", True)
    assert "password" not in response.text
    assert "argon2" not in response.text
    assert response.headers["location"] == f"/api/users/{user['id']}/"
    listed = client.get("/api/users/").json()
    assert {u["email"] for u in listed} == {"ada.admin@example.com", "nina@example.com"}
    assert "argon2" not in client.get("/api/users/").text
    refused(client.post("/api/users/", json={**body, "email": "NINA@example.com"}), 400, "email")
    changed = client.patch(f"/api/users/{user['id']}/", json={"role": "requester", "name": "N"})
    assert (changed.json()["role"], changed.json()["name"]) == ("requester", "N")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "1234567890"}, "password"),
        ({"role": "boss"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"name": " "}, "name"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_a_bad_new_user_is_400_naming_the_field(api, admin, body, field):
    good = {"email": "x@example.com", "name": "X", "role": "agent", "password": PASSWORD}
    refused(api(admin).post("/api/users/", json={**good, **body}), 400, field)
    assert len(api(admin).get("/api/users/").json()) == 1


@pytest.mark.parametrize(
    ("change", "field"), [({"role": "agent"}, "role"), ({"active": False}, "active")]
)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    api, admin, make_person, engine, change, field
):
    retired = make_person("admin", "Old Admin")
    client = api(admin)
    assert client.patch(f"/api/users/{retired.id}/", json={"active": False}).status_code == 200
    refused(client.patch(f"/api/users/{admin.id}/", json=change), 403, field)
    assert client.get(f"/api/users/{admin.id}/").json()["role"] == "admin"
    assert client.get("/api/me/").status_code == 200
    # With a second active admin, the same change goes through.
    client.patch(f"/api/users/{retired.id}/", json={"active": True})
    assert client.patch(f"/api/users/{admin.id}/", json=change).status_code == 200


@pytest.mark.parametrize(
    "change",
    [{"active": False}, {"role": "requester"}, {"password": "a brand new passphrase"}],
    ids=["deactivate", "role", "password"],
)
def test_taking_access_away_ends_every_session(api, admin, agent, change):
    secrets = [sessions.start(agent.actor), sessions.start(agent.actor)]
    assert all(sessions.resolve(secret) for secret in secrets)
    assert api(admin).patch(f"/api/users/{agent.id}/", json=change).status_code == 200
    assert [sessions.resolve(secret) for secret in secrets] == [None, None]


def test_a_rename_leaves_sessions_alone(api, admin, agent):
    secret = sessions.start(agent.actor)
    api(admin).patch(f"/api/users/{agent.id}/", json={"name": "Alan Renamed"})
    assert sessions.resolve(secret).name == "Alan Renamed"


def test_a_deactivated_users_token_stops_working_and_returns_with_them(api, admin, agent):
    client = api(agent)
    assert client.get("/api/me/").status_code == 200
    api(admin).patch(f"/api/users/{agent.id}/", json={"active": False})
    refused(client.get("/api/me/"), 401)
    refused(client.get("/api/tickets/"), 401)
    api(admin).patch(f"/api/users/{agent.id}/", json={"active": True})
    assert client.get("/api/me/").status_code == 200


def test_a_role_change_applies_to_the_token_at_once(api, admin, agent):
    client = api(agent)
    assert (
        client.post("/api/tickets/classify/", json={"description": "VPN down"}).status_code == 200
    )
    api(admin).patch(f"/api/users/{agent.id}/", json={"role": "requester"})
    assert client.get("/api/me/").json()["role"] == "requester"
    refused(client.post("/api/tickets/classify/", json={"description": "VPN down"}), 403)


def test_an_unknown_user_is_404(api, admin):
    refused(api(admin).get("/api/users/999999/"), 404)
    refused(api(admin).patch("/api/users/999999/", json={"name": "Nobody"}), 404)


def test_two_admins_demoting_each_other_at_once_leave_one(make_person, monkeypatch):
    """The last-admin rule under concurrency: each change counts the other admins, and both
    counts are taken (the barrier holds each transaction there) before either commits."""
    first, second = make_person("admin", "First Admin"), make_person("admin", "Second Admin")
    meet = threading.Barrier(2, timeout=1)
    counted = users._other_active_admins

    def count_then_meet(connection, user_id):
        found = counted(connection, user_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()  # the other change counts meanwhile, unless it must wait for this one
        return found

    monkeypatch.setattr(users, "_other_active_admins", count_then_meet)
    outcomes: list[str] = []

    def demote(actor, user_id):
        try:
            users.update_user(actor, user_id=user_id, patch=users.UserPatch(role="agent"))
            outcomes.append("demoted")
        except Forbidden:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=demote, args=(first.actor, second.id)),
        threading.Thread(target=demote, args=(second.actor, first.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert users.active_admins() == 1
