"""The REST contract of DESIGN.md, route by route, as an API client sees it."""

from datetime import datetime

import pytest

from tests.conftest import reset_caches
from tests.support.api import make_ticket

TICKET_FIELDS = {
    "id",
    "title",
    "description",
    "category",
    "priority",
    "status",
    "created_at",
    "updated_at",
    "sla",
    "suggested_category",
    "suggested_priority",
    "created_by",
    "assignee_id",
    "version",
    "comment_count",
    "note_count",
    "merged_into_id",
    "participants",
    "attachments",
}


def test_create_returns_the_ticket_with_location(client):
    response = client.post(
        "/api/tickets/",
        json={
            "title": "  Cannot log in  ",
            "description": "Password reset mail never arrives.",
            "category": "account",
            "priority": "high",
        },
    )
    assert response.status_code == 201
    ticket = response.json()
    assert set(ticket) == TICKET_FIELDS
    assert ticket["title"] == "Cannot log in"
    assert (ticket["category"], ticket["priority"], ticket["status"]) == ("account", "high", "open")
    assert response.headers["location"] == f"/api/tickets/{ticket['id']}/"
    created = datetime.fromisoformat(ticket["created_at"])
    assert created.utcoffset() is not None
    assert created.utcoffset().total_seconds() == 0
    assert ticket["created_at"].endswith("+00:00")
    assert ticket["updated_at"] == ticket["created_at"]
    assert client.get(response.headers["location"]).json() == ticket


def test_create_without_category_and_priority_classifies_and_stores_the_suggestion(client):
    ticket = make_ticket(client, description="I was charged twice for my subscription this month.")
    assert ticket["category"] == ticket["suggested_category"]
    assert ticket["priority"] == ticket["suggested_priority"]
    assert ticket["category"] == "billing"


def test_create_with_only_one_value_keeps_it_and_classifies_the_other(client):
    ticket = make_ticket(client, category="general")
    assert ticket["category"] == "general"
    assert ticket["suggested_priority"] == ticket["priority"]
    assert ticket["suggested_category"] is not None


def test_create_with_both_values_stores_no_suggestion(client):
    ticket = make_ticket(client, category="technical", priority="low")
    assert ticket["suggested_category"] is None
    assert ticket["suggested_priority"] is None


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/tickets"])
def test_paths_answer_with_and_without_trailing_slash(client, path):
    ticket = make_ticket(client)
    listed = client.get(path)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [ticket["id"]]
    suffix = "/" if path.endswith("/") else ""
    for method in ("get", "patch", "delete"):
        url = f"/api/tickets/{ticket['id']}{suffix}"
        kwargs = {"json": {"status": "closed"}} if method == "patch" else {}
        response = getattr(client, method)(url, follow_redirects=False, **kwargs)
        assert response.status_code in {200, 204}, (method, url, response.status_code)
    for url in (f"/api/tickets/stats{suffix}", f"/api/health{suffix}"):
        assert client.get(url, follow_redirects=False).status_code == 200


def test_get_missing_ticket_is_a_404_problem(client):
    response = client.get("/api/tickets/4242/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert set(problem) == {"type", "title", "status", "detail", "errors"}
    assert "4242" in problem["detail"]


@pytest.mark.parametrize("ticket_id", ["0", "-1", "99999999999999999999"])
def test_out_of_range_ids_are_404_not_500(client, ticket_id):
    assert client.get(f"/api/tickets/{ticket_id}/").status_code == 404
    assert client.delete(f"/api/tickets/{ticket_id}/").status_code == 404


@pytest.mark.parametrize("path", ["/api/tickets/abc/", "/api/tickets/1.5/", "/api/tickets/-1"])
def test_a_path_that_is_not_a_ticket_id_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"] == "There is nothing at this address."


def test_patch_changes_only_the_fields_sent_and_bumps_updated_at(client):
    ticket = make_ticket(client, category="billing", priority="low")
    response = client.patch(f"/api/tickets/{ticket['id']}/", json={"status": "in_progress"})
    assert response.status_code == 200
    patched = response.json()
    assert patched["status"] == "in_progress"
    moving = {"status", "updated_at", "version"}
    assert {k: v for k, v in patched.items() if k not in moving} == {
        k: v for k, v in ticket.items() if k not in moving
    }
    assert patched["updated_at"] > ticket["updated_at"]
    assert patched["version"] == ticket["version"] + 1


def test_two_patches_of_different_fields_both_survive(client):
    ticket = make_ticket(client, category="billing", priority="low")
    url = f"/api/tickets/{ticket['id']}/"
    client.patch(url, json={"priority": "critical"})
    client.patch(url, json={"category": "technical"})
    final = client.get(url).json()
    assert (final["priority"], final["category"]) == ("critical", "technical")


def test_patch_every_editable_field(client):
    ticket = make_ticket(client)
    changes = {
        "title": "New title",
        "description": "New description",
        "category": "account",
        "priority": "critical",
        "status": "resolved",
    }
    patched = client.patch(f"/api/tickets/{ticket['id']}/", json=changes).json()
    assert {key: patched[key] for key in changes} == changes


def test_patch_missing_ticket_is_404(client):
    assert client.patch("/api/tickets/999/", json={"status": "closed"}).status_code == 404


def test_delete_then_get_is_404_and_second_delete_is_404(client):
    ticket = make_ticket(client)
    url = f"/api/tickets/{ticket['id']}/"
    response = client.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404


def test_health_checks_the_database(client):
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "mail_queue": "held",
        "mail_quarantine": 0,
    }


@pytest.fixture
def unreachable_database(engine, monkeypatch, tmp_path):
    """Point the app at a database that cannot be reached, then restore the real one."""
    url = (
        f"sqlite:///{tmp_path}"  # a directory: SQLite cannot open it
        if engine.dialect.name == "sqlite"
        else "postgresql://nobody:secret@127.0.0.1:9/none"
    )
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()
    yield
    monkeypatch.undo()
    reset_caches()


def test_health_is_503_problem_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/api/health/")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["database"] == "unavailable"
    assert "Traceback" not in response.text


def test_a_create_during_an_outage_is_a_503_not_a_500(client, unreachable_database):
    response = client.post("/api/tickets/", json={"title": "t", "description": "d"})
    assert response.status_code == 503
    assert "Nothing was changed" in response.json()["detail"]


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/tickets/", "/api/tickets/{ticket_id}/", "/api/tickets/stats/"} <= set(paths)
    assert "/api/tickets" not in paths  # the slash-less aliases are not documented twice
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_unknown_route_and_method_are_problems(client):
    missing = client.get("/api/nothing-here/")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = client.put("/api/tickets/", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/tickets/", "GET, POST"),
        ("DELETE", "/api/tickets", "GET, POST"),
        ("PUT", "/api/tickets/7/", "DELETE, GET, PATCH"),
        ("PATCH", "/api/tickets/classify/", "POST"),
        ("DELETE", "/api/tickets/stats/", "GET"),
        ("POST", "/api/health/", "GET"),
    ],
)
def test_a_wrong_method_is_405_listing_every_allowed_one(client, method, path, allow):
    """Not only the first route's methods, and never mistaken for a ticket id ("classify")."""
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["detail"] == f"{method} is not allowed here; use {allow}."


def test_options_answers_with_the_allowed_methods(client):
    response = client.options("/api/tickets/3/")
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, PATCH"


def test_openapi_documents_the_problems_actually_sent(client):
    spec = client.get("/api/openapi.json").json()
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert all("422" not in operation["responses"] for operation in operations)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }
    patch = spec["paths"]["/api/tickets/{ticket_id}/"]["patch"]
    assert set(patch["responses"]) == {"200", "400", "401", "403", "404", "412", "413", "503"}
    problem = patch["responses"]["400"]["content"]["application/problem+json"]
    assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    patch_body = spec["components"]["schemas"]["TicketPatch"]
    assert patch_body["minProperties"] == 1
    assert all("anyOf" not in field for field in patch_body["properties"].values())
    title = spec["components"]["schemas"]["TicketCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"], title["pattern"]) == (1, 200, r"\S")


def test_classify_says_whether_the_suggestion_is_sure_enough_to_prefill(client):
    clear = client.post(
        "/api/tickets/classify/",
        json={"description": "I was charged twice for my March invoice, please refund one."},
    )
    assert clear.status_code == 200, clear.text
    assert clear.json()["suggested_category"] == "billing"
    assert clear.json()["confident"] is True
    noise = client.post("/api/tickets/classify/", json={"description": "qwxz plorb vvvk"})
    assert noise.status_code == 200
    assert noise.json()["confident"] is False
    assert noise.json()["confidence"] < clear.json()["confidence"]
