"""Service levels through the API: calendars and policies (admins), the ticket's `sla` object
kept in step with every write, the explanation replayed from history, the list's `sla=`
filters and `sort=due`, and the warning sweep. The clock is frozen (time-machine) so due
times are exact; business hours are a Mon-Fri 09:00-17:00 calendar in Berlin with Bavaria's
public holidays (the issue's example)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from ticket_app.services import listing, sla

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_1630 = datetime(2026, 3, 27, 16, 30, tzinfo=BERLIN)  # Sunday the 29th: clocks go forward


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(BERLIN)


@pytest.fixture
def desk(client) -> dict[str, Any]:
    """The issue's setup: Berlin hours with Bavarian holidays; critical: first response in
    1 business hour, resolved within 8, next response within 2. Set up on 1 January 2026:
    a policy applies to tickets opened after it."""
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=BERLIN), tick=False):
        return _set_up(client)


def _set_up(client) -> dict[str, Any]:
    calendar = client.post(
        "/api/sla/calendars/",
        json={
            "name": "Munich office",
            "time_zone": "Europe/Berlin",
            "hours": WEEKDAYS,
            "holiday_country": "DE",
            "holiday_region": "BY",
            "own_holidays": [{"date": "2026-12-24", "name": "Christmas Eve (office closed)"}],
        },
    )
    assert calendar.status_code == 201, calendar.text
    policy = client.post(
        "/api/sla/policies/",
        json={
            "priority": "critical",
            "calendar_id": calendar.json()["id"],
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 480,
        },
    )
    assert policy.status_code == 201, policy.text
    return {"calendar": calendar.json(), "policy": policy.json()}


def file_ticket(api_client, **fields: Any) -> dict[str, Any]:
    """A critical billing ticket filed by staff (`triage=False`: as a requester files it)."""
    body = {"title": "Checkout down", "description": "Nobody can pay."}
    if fields.pop("triage", True):
        body.update(category="billing", priority="critical")
    body.update(fields)
    response = api_client.post("/api/tickets/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_critical_ticket_filed_friday_1630_is_due_monday_0930_and_explained(
    api, desk, agent
) -> None:
    with time_machine.travel(FRIDAY_1630, tick=False):
        desk_policy = desk["policy"]["id"]
        ticket = file_ticket(api(agent))
        assert ticket["sla"]["policy_id"] == desk_policy
        first = berlin(ticket["sla"]["first_response_due_at"])
        assert first == datetime(2026, 3, 30, 9, 30, tzinfo=BERLIN)
        # 30 minutes on Friday, 7.5 hours on Monday (summer time by then)
        assert berlin(ticket["sla"]["resolution_due_at"]) == datetime(
            2026, 3, 30, 16, 30, tzinfo=BERLIN
        )
        assert ticket["sla"]["next_response_due_at"] is None
        assert ticket["sla"]["paused"] is False
        assert ticket["sla"]["breached"] == []
        explained = api(agent).get(f"/api/tickets/{ticket['id']}/sla/").json()
    timer = next(t for t in explained["timers"] if t["target"] == "first_response")
    assert [(p["kind"], p["minutes"]) for p in timer["phases"]] == [
        ("counted", 30.0),
        ("closed", 63 * 60.0),  # Friday 17:00 to Monday 09:00, one hour short: summer time
        ("counted", 30.0),
    ]
    assert timer["phases"][1]["note"] == "outside business hours"
    assert timer["left_minutes"] == 60.0
    assert timer["state"] == "running"
    assert "waits on the requester" in explained["rule"]


def test_the_easter_holidays_are_skipped_and_named(api, desk, agent) -> None:
    """Thursday 2 April 2026, 16:30: Good Friday and Easter Monday are closed in Bavaria."""
    with time_machine.travel(datetime(2026, 4, 2, 16, 30, tzinfo=BERLIN), tick=False):
        ticket = file_ticket(api(agent))
        explained = api(agent).get(f"/api/tickets/{ticket['id']}/sla/").json()
    assert berlin(ticket["sla"]["first_response_due_at"]) == datetime(
        2026, 4, 7, 9, 30, tzinfo=BERLIN
    )
    closed = next(t for t in explained["timers"] if t["target"] == "first_response")["phases"][1]
    assert "Good Friday (2026-04-03)" in closed["note"]
    assert "Easter Monday (2026-04-06)" in closed["note"]


def test_the_clock_pauses_while_waiting_on_the_requester(api, desk, agent, requester) -> None:
    start = datetime(2026, 3, 24, 10, 0, tzinfo=BERLIN)  # a Tuesday
    with time_machine.travel(start, tick=False) as clock:
        ticket = file_ticket(api(requester), triage=False)  # set critical below
        path = f"/api/tickets/{ticket['id']}/"
        assert api(agent).patch(path, json={"priority": "critical"}).status_code == 200
        clock.shift(timedelta(minutes=20))
        api(agent).post(path + "comments/", json={"body": "Looking into it."})
        changed = api(agent).patch(path, json={"status": "in_progress"}).json()
        assert changed["sla"]["paused"] is True
        assert changed["sla"]["first_response_due_at"] is None  # met
        assert changed["sla"]["resolution_due_at"] is None  # paused
        clock.shift(timedelta(hours=3))  # three business hours pass while paused
        api(requester).post(path + "comments/", json={"body": "Still broken."})
        after = api(agent).get(path).json()["sla"]
    assert after["paused"] is False
    # 20 minutes used before the pause: 460 left from 13:20 (220 today) -> the next day 13:00
    assert berlin(after["resolution_due_at"]) == datetime(2026, 3, 25, 13, 0, tzinfo=BERLIN)
    assert berlin(after["next_response_due_at"]) == datetime(2026, 3, 24, 15, 20, tzinfo=BERLIN)


def test_a_policy_change_applies_to_tickets_opened_after_it(client, api, desk, agent) -> None:
    with time_machine.travel(FRIDAY_1630, tick=False) as clock:
        before = file_ticket(api(agent))
        clock.shift(timedelta(minutes=1))
        changed = client.patch(
            f"/api/sla/policies/{desk['policy']['id']}/", json={"first_response_minutes": 30}
        )
        assert changed.status_code == 200, changed.text
        clock.shift(timedelta(minutes=1))
        after = file_ticket(api(agent))
        # a write to the older ticket keeps its terms
        api(agent).patch(f"/api/tickets/{before['id']}/", json={"status": "in_progress"})
        before_now = api(agent).get(f"/api/tickets/{before['id']}/").json()
    assert berlin(before_now["sla"]["first_response_due_at"]) == datetime(
        2026, 3, 30, 9, 30, tzinfo=BERLIN
    )
    assert berlin(after["sla"]["first_response_due_at"]) == datetime(
        2026, 3, 30, 9, 2, tzinfo=BERLIN
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("hours", {"sat": []}, "at least one open range"),
        ("hours", {"mon": [["17:00", "09:00"]]}, "ends before it starts"),
        ("hours", {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ("time_zone", "Mars/Olympus", "not a time zone"),
        ("holiday_country", "XX", "not a supported country"),
    ],
)
def test_a_bad_calendar_is_refused_by_name(client, field, value, expected) -> None:
    body = {"name": "Bad", field: value}
    response = client.post("/api/sla/calendars/", json=body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"].startswith(field)
    assert expected in errors[0]["message"]
    assert [c["name"] for c in client.get("/api/sla/calendars/").json()] == ["Business hours"]


def test_only_admins_manage_and_requesters_see_no_service_levels(api, desk, agent, requester):
    assert api(agent).post("/api/sla/policies/", json={"priority": "low"}).status_code == 403
    assert api(agent).get("/api/sla/calendars/").status_code == 403
    ticket = file_ticket(api(requester), triage=False)
    assert api(requester).get(f"/api/tickets/{ticket['id']}/").json()["sla"] is None
    assert api(requester).get(f"/api/tickets/{ticket['id']}/sla/").status_code == 403


def test_lists_filter_breached_and_due_soon_in_the_order_due(api, desk, agent) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        early = file_ticket(api(agent), title="Early")
        clock.shift(timedelta(minutes=30))
        late = file_ticket(api(agent), title="Late")
        file_ticket(api(agent), title="No policy", priority="low")
        clock.shift(timedelta(minutes=15))  # early due 10:00, late 10:30
        soon = api(agent).get("/api/tickets/?sla=due_soon")
        assert [t["title"] for t in soon.json()] == ["Early", "Late"]
        assert soon.headers["X-Total-Count"] == "2"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(listing, "SLA_COUNT_CAP", 1)
            capped = api(agent).get("/api/tickets/?sla=due_soon")
        assert capped.headers["X-Total-Count"] == "1"
        assert capped.headers["X-Total-Count-Capped"] == "true"
        clock.shift(timedelta(minutes=20))  # 10:05
        breached = api(agent).get("/api/tickets/?sla=breached").json()
        assert [t["id"] for t in breached] == [early["id"]]
        assert breached[0]["sla"]["breached"] == ["first_response"]
        assert [t["id"] for t in api(agent).get("/api/tickets/?sla=due_soon").json()] == [
            late["id"]
        ]
        ordered = api(agent).get("/api/tickets/?sort=due&limit=2")
        assert [t["title"] for t in ordered.json()] == ["Early", "Late"]
        rest = api(agent).get(ordered.headers["Link"].split(";")[0].strip("<>"))
        assert [t["title"] for t in rest.json()] == ["No policy"]
    refused = api(agent).get("/api/tickets/?sla=breached&sort=newest")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "sort"
    assert api(agent).get("/api/tickets/?sla=late").status_code == 400


def test_a_breach_is_recorded_and_never_cleared(api, desk, agent, engine) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        ticket = file_ticket(api(agent))
        clock.shift(timedelta(minutes=61))
        path = f"/api/tickets/{ticket['id']}/"
        api(agent).post(path + "comments/", json={"body": "Sorry for the wait."})
        after = api(agent).get(path).json()["sla"]
    assert after["breached"] == ["first_response"]
    assert after["first_response_due_at"] is None
    with engine.connect() as connection:
        bits = connection.execute(
            sa.text(f"SELECT sla_breached FROM tickets WHERE id = {ticket['id']}")
        )
        assert bits.scalar_one() == 1


def _notices(engine, user_id: int) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.text(f"SELECT kind FROM notifications WHERE user_id = {user_id} ORDER BY id")
            ).scalars()
        )


def _history(api_client, ticket_id: int) -> list[tuple[str, str | None]]:
    entries = api_client.get(f"/api/tickets/{ticket_id}/history/").json()
    return [(e["kind"], e["new_value"]) for e in entries if e["kind"].startswith("sla_")]


def test_the_sweep_warns_the_assignee_at_80_percent_and_at_the_breach_once_each(
    api, desk, agent, admin, engine
) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        ticket = file_ticket(api(agent))
        api(agent).patch(f"/api/tickets/{ticket['id']}/", json={"assignee_id": agent.id})
        clock.shift(timedelta(minutes=47))
        assert sla.sweep_all() == 0  # 47 of 60 minutes: nothing yet
        clock.shift(timedelta(minutes=1))  # 48 = 80%
        assert sla.sweep_all() == 1
        assert sla.sweep_all() == 0  # told once
        assert _notices(engine, agent.id) == ["sla_warning"]
        clock.shift(timedelta(minutes=12))
        assert sla.sweep_all() == 1
        sla.sweep_all()
        assert _notices(engine, agent.id) == ["sla_warning", "sla_warning"]
        assert _notices(engine, admin.id) == []
        assert _history(api(agent), ticket["id"]) == [
            ("sla_warning", "first_response"),
            ("sla_breached", "first_response"),
        ]


def test_an_unassigned_ticket_warns_the_admins(api, desk, agent, admin, engine) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        file_ticket(api(agent))
        clock.shift(timedelta(minutes=48))
        sla.sweep_all()
    assert _notices(engine, admin.id) == ["sla_warning"]
    assert _notices(engine, agent.id) == []


def test_the_dashboard_counts_met_and_breached_targets(api, desk, agent) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        fast = file_ticket(api(agent))
        slow = file_ticket(api(agent))
        clock.shift(timedelta(minutes=10))
        api(agent).post(f"/api/tickets/{fast['id']}/comments/", json={"body": "On it."})
        clock.shift(timedelta(minutes=80))
        api(agent).post(f"/api/tickets/{slow['id']}/comments/", json={"body": "Sorry."})
        numbers = api(agent).get("/api/sla/dashboard/").json()
    first = numbers["by_priority"]["critical"]["first_response"]
    assert first == {"met": 1, "breached": 1, "share": 0.5}
    assert numbers["median_first_response_minutes"] == 10.0
    assert numbers["breached_now"] == 0


def test_breached_now_on_the_dashboard_comes_from_the_due_index(api, desk, agent) -> None:
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        file_ticket(api(agent))
        clock.shift(timedelta(hours=2))
        assert api(agent).get("/api/sla/dashboard/").json()["breached_now"] == 1


def test_no_policy_means_no_due_times(api, agent) -> None:
    ticket = file_ticket(api(agent))
    assert ticket["sla"] == {
        "policy_id": None,
        "first_response_due_at": None,
        "next_response_due_at": None,
        "resolution_due_at": None,
        "paused": False,
        "breached": [],
    }


def test_two_workers_sweeping_at_once_warn_once(api, desk, agent, engine) -> None:
    """Two sweeps race over the same due tickets: each warning is told exactly once."""
    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        made = [file_ticket(api(agent), title=f"Down {n}")["id"] for n in range(30)]
        for ticket_id in made:
            api(agent).patch(f"/api/tickets/{ticket_id}/", json={"assignee_id": agent.id})
        clock.shift(timedelta(minutes=50))
        with ThreadPoolExecutor(2) as pool:
            looked = sum(pool.map(lambda _: sla.sweep(limit=7), range(8)))
        sla.sweep_all()
    assert looked >= 30
    with engine.connect() as connection:
        told = connection.execute(
            sa.text(
                "SELECT ticket_id, count(*) FROM notifications WHERE kind = 'sla_warning' "
                "GROUP BY ticket_id"
            )
        ).all()
    assert sorted(told) == [(ticket_id, 1) for ticket_id in made]


def test_the_manage_command_sweeps(api, desk, agent, engine, capsys) -> None:
    from ticket_app import manage

    with time_machine.travel(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        file_ticket(api(agent))
        clock.shift(timedelta(minutes=48))
        assert manage.main(["sla-sweep"]) == 0
    assert "1 tickets looked at" in capsys.readouterr().err


def test_a_calendar_change_reaches_tickets_opened_after_it_and_one_in_use_stays(
    client, api, desk, agent
) -> None:
    calendar = desk["calendar"]["id"]
    with time_machine.travel(FRIDAY_1630, tick=False) as clock:
        before = file_ticket(api(agent))
        clock.shift(timedelta(minutes=1))
        weekend = {**WEEKDAYS, "sat": [["09:00", "13:00"]]}
        changed = client.patch(f"/api/sla/calendars/{calendar}/", json={"hours": weekend})
        assert changed.status_code == 200, changed.text
        after = file_ticket(api(agent))
    assert berlin(before["sla"]["first_response_due_at"]) == datetime(
        2026, 3, 30, 9, 30, tzinfo=BERLIN
    )
    # Friday 16:31: 29 minutes today, 31 on Saturday morning
    assert berlin(after["sla"]["first_response_due_at"]) == datetime(
        2026, 3, 28, 9, 31, tzinfo=BERLIN
    )
    refused = client.delete(f"/api/sla/calendars/{calendar}/")
    assert refused.status_code == 400
    assert "1 policy uses this calendar" in refused.json()["errors"][0]["message"]
    default = client.get("/api/sla/calendars/").json()[0]
    assert default["is_default"]
    assert client.delete(f"/api/sla/calendars/{default['id']}/").status_code == 400
