"""The REST API as tests drive it: making tickets, walking every page of a list, and reading
problem answers (RFC 9457)."""

from typing import Any
from urllib.parse import urlsplit


def bearer(secret: str) -> dict[str, str]:
    """The headers that send `secret` as the API token."""
    return {"Authorization": f"Bearer {secret}"}


def make_ticket(
    client: Any,
    title: str = "Printer on fire",
    description: str = "It smells of smoke.",
    *,
    status: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A ticket made through POST /api/tickets/ by whoever `client` acts for, with `fields`
    (category, priority, ...) in the body; then moved to `status` by a PATCH when one is
    given and the new ticket is not in it already. The ticket as the last answer shows it."""
    body = {"title": title, "description": description, **fields}
    response = client.post("/api/tickets/", json=body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    if status is not None and status != ticket["status"]:
        response = client.patch(f"/api/tickets/{ticket['id']}/", json={"status": status})
        assert response.status_code == 200, response.text
        ticket = response.json()
    return ticket


def next_link(response: Any) -> str | None:
    """The path and query of a list answer's `Link: rel="next"`, or None on the last page."""
    link = response.headers.get("link")
    if link is None:
        return None
    url, rel = link.split(";")
    assert rel.strip() == 'rel="next"'
    target = urlsplit(url.strip()[1:-1])
    return f"{target.path}?{target.query}"


def walk_pages(client: Any, url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every item of a paged list, following `Link: rel="next"` from `url`; with the
    `X-Total-Count` each page sent (empty strings where none was)."""
    items: list[dict[str, Any]] = []
    totals: list[str] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        items += response.json()
        totals.append(response.headers.get("x-total-count", ""))
        next_url = next_link(response)
    return items, totals


def problem_fields(response: Any) -> dict[str, str]:
    """Assert a whole problem body (no stack trace in it); its errors by field."""
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == response.status_code
    assert "Traceback" not in response.text
    return {error["field"]: error["message"] for error in body["errors"]}


def refused(response: Any, status: int, field: str | None = None) -> dict[str, str]:
    """Assert a problem answer with `status` (naming `field` when given); its fields."""
    assert response.status_code == status, response.text
    fields = problem_fields(response)
    if field is not None:
        assert field in fields, fields
    return fields


def index_similar() -> int:
    """Run the similar-tickets step a server process runs after creates (`similar_worker`):
    tickets created since are offered as similar from then on."""
    from ticket_app.services import similar_index

    return similar_index.index_pending()
