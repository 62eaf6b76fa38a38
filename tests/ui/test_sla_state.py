"""Service levels in the UI states: the ticket page's timers and their explanation, the due
badge of list rows as the frozen clock moves, the sla filter, the admin page and the
dashboard's figures."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ticket_app.domain import Category, Priority
from ticket_app.services import sla_calendars, sla_policies
from ticket_app.ui.state.dashboard import DashboardState
from ticket_app.ui.state.detail import DetailState
from ticket_app.ui.state.sla_admin import SlaAdminState
from ticket_app.ui.state.tickets import TicketsState

from .conftest import at_url, new, run, toast_text

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_9 = datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN)


@pytest.fixture
def policy(viewer):
    """Critical: first response within an hour, Mon-Fri 9-17 Berlin (set up in January)."""
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=BERLIN), tick=False):
        calendar = sla_calendars.create_calendar(
            viewer.actor,
            data=sla_calendars.validate({"name": "Berlin", "time_zone": "Europe/Berlin"}),
        )
        return sla_policies.create_policy(
            viewer.actor,
            data=sla_policies.validate(
                {"priority": "critical", "calendar_id": calendar.id, "first_response_minutes": 60}
            ),
        )


def critical(make_ticket):
    return make_ticket(category=Category.BILLING, priority=Priority.CRITICAL)


def test_the_ticket_page_shows_each_timer_and_how_it_was_computed(policy, make_ticket):
    with time_machine.travel(datetime(2026, 3, 27, 16, 30, tzinfo=BERLIN), tick=False):
        ticket = critical(make_ticket)
        state = at_url(new(DetailState), f"/tickets/{ticket.id}")
        run(DetailState.load, state)
    [timer] = state.sla_timers
    assert timer.label == "First response (1 h 00 min)"
    assert timer.state_label == "Running"
    assert timer.due == "Mon 30 Mar 2026 09:30 (Europe/Berlin)"
    assert timer.left == "1 h 00 min of business time left"
    assert [phase["kind"] for phase in timer.phases] == ["Counted", "Closed hours", "Counted"]
    assert timer.phases[1]["note"] == "outside business hours"
    assert "waits on the requester" in state.sla_rule


def test_a_list_row_goes_amber_then_red_as_the_clock_moves(policy, make_ticket):
    with time_machine.travel(TUESDAY_9, tick=False) as clock:
        critical(make_ticket)
        for minutes, expected in ((0, "soon"), (59, "soon"), (1, "overdue")):
            clock.shift(timedelta(minutes=minutes))
            state = at_url(new(TicketsState), "/tickets")
            run(TicketsState.load, state)
            assert [row.due_state for row in state.rows] == [expected]


def test_the_sla_filter_lists_breached_tickets_in_the_order_due(policy, make_ticket):
    with time_machine.travel(TUESDAY_9, tick=False) as clock:
        late = critical(make_ticket)
        make_ticket("Not critical")
        clock.shift(timedelta(hours=2))
        state = at_url(new(TicketsState), "/tickets?sort=oldest")
        run(TicketsState.load, state)
        run(TicketsState.set_sla_filter, state, "breached")
    assert [row.id for row in state.rows] == [late.id]
    assert state.sort_order == ""
    assert state.sla_filter == "breached"


def test_the_admin_page_adds_a_policy_and_says_when_it_applies(viewer):
    state = at_url(new(SlaAdminState), "/admin/sla")
    run(SlaAdminState.load, state)
    assert [c["name"] for c in state.calendars] == ["Business hours"]
    calendar_id = state.calendars[0]["id"]
    answer = run(
        SlaAdminState.create_policy,
        state,
        {
            "priority": "high",
            "category": "",
            "calendar_id": calendar_id,
            "first_response_minutes": "240",
            "next_response_minutes": "",
            "resolution_minutes": "2400",
        },
    )
    assert "applies to tickets opened from now on" in toast_text(answer)
    assert state.policies == [
        {
            "id": state.policies[0]["id"],
            "scope": "high / every category",
            "calendar": "Business hours",
            "first_response_minutes": "240",
            "next_response_minutes": "—",
            "resolution_minutes": "2400",
        }
    ]


def test_the_admin_page_refuses_a_calendar_without_open_hours_by_name(viewer):
    state = at_url(new(SlaAdminState), "/admin/sla")
    run(SlaAdminState.load, state)
    run(
        SlaAdminState.create_calendar,
        state,
        {"name": "Never", "time_zone": "UTC", "hours": "sat", "own_holidays": ""},
    )
    assert "hours" in state.form_errors
    run(
        SlaAdminState.create_calendar,
        state,
        {"name": "Closed", "time_zone": "UTC", "hours": "", "own_holidays": ""},
    )
    assert "at least one open range" in state.form_errors["hours"]
    assert [c["name"] for c in state.calendars] == ["Business hours"]


def test_an_agent_cannot_use_the_admin_page(make_person, sign_in):
    sign_in(make_person("agent", "Alan"))
    state = at_url(new(SlaAdminState), "/admin/sla")
    run(SlaAdminState.load, state)
    assert state.policies == []
    assert "may not manage service-level" in state.error


def test_the_dashboard_shows_the_share_met_and_the_median_first_response(
    policy, make_ticket, viewer
):
    from ticket_app.services import comments

    with time_machine.travel(TUESDAY_9, tick=False) as clock:
        ticket = critical(make_ticket)
        clock.shift(timedelta(minutes=25))
        comments.add_comment(
            viewer.actor, ticket_id=ticket.id, data=comments.validate_comment({"body": "Hi"})
        )
        state = at_url(new(DashboardState), "/dashboard")
        run(DashboardState.load, state)
    critical_row = next(row for row in state.service_data if row["priority"] == "Critical")
    assert critical_row["first_response"] == "100% of 1"
    assert state.median_first_response == "25 min"
    assert state.breached_now == "0"
