"""Every time the API sends is ISO 8601 with an explicit `+00:00`, as tickets' always were.

Pydantic's default for an aware UTC time is a trailing `Z`, which some clients' parsers (Python
before 3.11's `fromisoformat`, among others) refuse; one answer style across every route.
"""

import re

from tests.support.api import make_ticket

TIME = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)"')


def times_in(response) -> list[str]:
    assert response.status_code in {200, 201}, response.text
    return TIME.findall(response.text)


def test_every_route_sends_times_with_an_explicit_offset(api, admin, agent):
    client = api(admin)
    ticket = make_ticket(client)
    base = f"/api/tickets/{ticket['id']}"
    answers = {
        "ticket": client.get(f"{base}/"),
        "comment": client.post(f"{base}/comments/", json={"body": "When?"}),
        "comments": client.get(f"{base}/comments/"),
        "history": client.get(f"{base}/history/"),
        "new token": client.post("/api/tokens/", json={"name": "t", "expires_in_days": 3}),
        "tokens": client.get("/api/tokens/"),
        "users": client.get("/api/users/"),
        "user": client.get(f"/api/users/{agent.id}/"),
    }
    for name, response in answers.items():
        found = times_in(response)
        assert found, name
        assert all(moment.endswith("+00:00") for moment in found), (name, found)
