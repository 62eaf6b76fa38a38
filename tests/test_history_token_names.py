"""A staff member's API token name ("nightly import", "Jane's laptop") never reaches a
requester through a ticket's history: they learn that an entry came through the API, not
which token. Staff still see the name."""


def test_requesters_never_see_staff_token_names_in_the_history(api, make_person, requester):
    staff_person = make_person("agent", "Alan Agent")
    staff = api(staff_person)
    secret = staff.post("/api/tokens/", json={"name": "Alan's secret cron box"}).json()["token"]
    ticket = api(requester).post("/api/tickets/", json={"title": "VPN", "description": "Down"})
    ticket_id = ticket.json()["id"]
    by_token = api()
    by_token.headers["Authorization"] = f"Bearer {secret}"
    replied = by_token.post(f"/api/tickets/{ticket_id}/comments/", json={"body": "On it"})
    assert replied.status_code == 201, replied.text

    seen = api(requester).get(f"/api/tickets/{ticket_id}/history/")
    assert seen.status_code == 200
    assert "cron box" not in seen.text
    reply = seen.json()[-1]
    assert (reply["kind"], reply["via"], reply["token_name"]) == ("commented", "api", None)

    staff_seen = staff.get(f"/api/tickets/{ticket_id}/history/").json()[-1]
    assert (staff_seen["via"], staff_seen["token_name"]) == ("api", "Alan's secret cron box")
