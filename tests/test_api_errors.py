"""Bad input gets a 400 (or 413) problem naming each offending field, and writes nothing."""

import json

import pytest

from tests.support.api import problem_fields


def ticket_count(client) -> int:
    return int(client.get("/api/tickets/").headers["x-total-count"])


def post_raw(client, body: bytes, content_type: str = "application/json"):
    return client.post("/api/tickets/", content=body, headers={"content-type": content_type})


VALID = {"title": "Title", "description": "Description", "category": "billing", "priority": "low"}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"title": ""}, "title", "blank"),
        ({"title": " \t\n "}, "title", "blank"),
        ({"description": "   "}, "description", "blank"),
        ({"description": "x" * 20_001}, "description", "20,000"),
        ({"title": 5}, "title", "string"),
        ({"description": None}, "description", "string"),
        ({"category": "shipping"}, "category", "billing"),
        ({"priority": "urgent"}, "priority", "critical"),
        ({"colour": "red"}, "colour", "not a known field"),
        ({"id": 7}, "id", "read-only"),
        ({"title": "a\u0000b"}, "title", "NUL"),
        ({"description": "bad \ud800 surrogate"}, "description", "surrogate"),
    ],
)
def test_create_rejects_each_bad_field_by_name(client, change, field, fragment):
    body = json.dumps({**VALID, **change}).encode()  # json.dumps escapes NUL and surrogates
    response = post_raw(client, body)
    assert response.status_code == 400
    fields = problem_fields(response)
    assert field in fields
    assert fragment.lower() in fields[field].lower()
    assert ticket_count(client) == 0


def test_title_of_exactly_200_characters_is_accepted(client):
    response = client.post("/api/tickets/", json={**VALID, "title": "x" * 200})
    assert response.status_code == 201
    assert len(response.json()["title"]) == 200


def test_description_of_exactly_20000_characters_is_accepted(client):
    response = client.post("/api/tickets/", json={**VALID, "description": "y" * 20_000})
    assert response.status_code == 201


def test_several_bad_fields_are_all_named(client):
    response = client.post(
        "/api/tickets/", json={"title": "", "category": "nope", "extra": 1, "priority": "low"}
    )
    assert response.status_code == 400
    assert set(problem_fields(response)) == {"title", "description", "category", "extra"}


@pytest.mark.parametrize(
    "body",
    [b'{"title": "x", ', b"not json", b"", b'{"title": "x"}{}', b"\xff\xfe"],
)
def test_malformed_json_is_400_on_body(client, body):
    response = post_raw(client, body)
    assert response.status_code == 400
    assert "body" in problem_fields(response)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_400(client, body):
    response = post_raw(client, body)
    assert response.status_code == 400
    assert problem_fields(response) == {"body": "must be a JSON object"}


def test_body_over_256_kib_is_413_without_writing(client):
    big = json.dumps({**VALID, "description": "z" * (300 * 1024)}).encode()
    response = post_raw(client, big)
    assert response.status_code == 413
    problem_fields(response)
    assert ticket_count(client) == 0


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        yield b'{"title": "t", "description": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'"}'

    response = client.post(
        "/api/tickets/", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert ticket_count(client) == 0


def test_patch_rejects_read_only_unknown_empty_and_null(client):
    ticket = client.post("/api/tickets/", json=VALID).json()
    url = f"/api/tickets/{ticket['id']}/"
    read_only = client.patch(url, json={"id": 9, "created_at": "2020-01-01T00:00:00Z"})
    assert read_only.status_code == 400
    assert problem_fields(read_only) == {
        "id": "is read-only and cannot be set",
        "created_at": "is read-only and cannot be set",
    }
    unknown = client.patch(url, json={"colour": "red"})
    assert problem_fields(unknown) == {"colour": "is not a known field"}
    empty = client.patch(url, json={})
    assert empty.status_code == 400
    assert "at least one" in problem_fields(empty)["body"]
    null = client.patch(url, json={"status": None})
    assert "null" in problem_fields(null)["status"]
    bad_status = client.patch(url, json={"status": "done", "title": " "})
    assert set(problem_fields(bad_status)) == {"status", "title"}
    assert client.get(url).json() == ticket


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=foo", "status"),
        ("status=open,foo", "status"),
        ("category=billing,", "category"),
        ("priority=HIGH", "priority"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=100000", "limit"),
        ("limit=ten", "limit"),
        ("cursor=forged", "cursor"),
        ("search=%00", "search"),
    ],
)
def test_list_rejects_bad_parameters_by_name(client, query, field):
    response = client.get(f"/api/tickets/?{query}")
    assert response.status_code == 400
    assert field in problem_fields(response)


def test_list_names_every_bad_parameter_at_once(client):
    response = client.get("/api/tickets/?status=foo&limit=0&category=x")
    assert set(problem_fields(response)) == {"status", "limit", "category"}


def test_stats_rejects_unknown_filter_values(client):
    response = client.get("/api/tickets/stats/?priority=urgent")
    assert response.status_code == 400
    assert "priority" in problem_fields(response)


def test_curl_style_body_without_json_label_is_read_as_json(client):
    """`curl -d '{...}'` labels the body as form data; a client that is not a browser means JSON."""
    body = b'{"description": "I was charged twice this month"}'
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = client.post(
            "/api/tickets/classify/", content=body, headers={"content-type": content_type}
        )
        assert response.status_code == 200, response.text
        assert response.json()["suggested_category"] == "billing"


def test_a_browser_form_from_another_site_cannot_create_a_ticket(client):
    """Browsers send such forms without a CORS preflight, but always with Origin."""
    before = ticket_count(client)
    response = client.post(
        "/api/tickets/",
        content=json.dumps(VALID).encode(),
        headers={"content-type": "text/plain", "origin": "https://elsewhere.example"},
    )
    assert response.status_code == 400
    fields = problem_fields(response)
    assert fields["body"] == "must be a JSON object sent as application/json (got text/plain)"
    assert ticket_count(client) == before
