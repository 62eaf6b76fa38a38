"""Stats: every key present, sums consistent, the average as DESIGN.md defines it."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.support.api import make_ticket
from ticket_app.services import stats as stats_service
from ticket_app.services.schemas import parse_filters

BREAKDOWNS = {
    "priority_breakdown": ["low", "medium", "high", "critical"],
    "category_breakdown": ["billing", "technical", "account", "general"],
    "status_breakdown": ["open", "in_progress", "resolved", "closed"],
}


def test_empty_database_has_every_key_at_zero(client):
    stats = client.get("/api/tickets/stats/").json()
    assert stats == {
        "total_tickets": 0,
        "open_tickets": 0,
        "avg_tickets_per_day": 0,
        **{name: dict.fromkeys(keys, 0) for name, keys in BREAKDOWNS.items()},
        "capped": False,
    }


def test_breakdowns_are_complete_and_consistent(client):
    make_ticket(client, category="billing", priority="high")
    make_ticket(client, category="billing", priority="low", status="closed")
    make_ticket(client, category="technical", priority="critical", status="in_progress")
    ticket = make_ticket(client, category="account", priority="medium", status="resolved")
    make_ticket(client, category="technical", priority="critical")
    client.patch(f"/api/tickets/{ticket['id']}/", json={"category": "general"})
    stats = client.get("/api/tickets/stats/").json()
    for name, keys in BREAKDOWNS.items():
        assert list(stats[name]) == keys
        assert sum(stats[name].values()) == stats["total_tickets"] == 5
    assert stats["category_breakdown"] == {
        "billing": 2,
        "technical": 2,
        "account": 0,
        "general": 1,
    }
    assert stats["priority_breakdown"] == {"low": 1, "medium": 1, "high": 1, "critical": 2}
    assert stats["status_breakdown"] == {
        "open": 2,
        "in_progress": 1,
        "resolved": 1,
        "closed": 1,
    }
    assert stats["open_tickets"] == 2
    assert stats["avg_tickets_per_day"] == 5.0  # all created today


def test_stats_follow_deletes(client):
    ticket = make_ticket(client, category="billing", priority="high")
    make_ticket(client, category="billing", priority="low")
    client.delete(f"/api/tickets/{ticket['id']}/")
    stats = client.get("/api/tickets/stats/").json()
    assert stats["total_tickets"] == 1
    assert stats["priority_breakdown"]["high"] == 0


def test_stats_narrowed_by_filters_and_search(client):
    make_ticket(client, "Refund please", category="billing", priority="high")
    make_ticket(client, "Refund again", category="billing", priority="low", status="closed")
    make_ticket(client, "Crash", category="technical", priority="high")
    by_category = client.get("/api/tickets/stats/?category=billing").json()
    assert by_category["total_tickets"] == 2
    assert by_category["category_breakdown"]["technical"] == 0
    by_search = client.get("/api/tickets/stats/?search=refund&status=open").json()
    assert by_search["total_tickets"] == 1
    assert by_search["priority_breakdown"] == {"low": 0, "medium": 0, "high": 1, "critical": 0}
    assert by_search["open_tickets"] == 1


def _backdate(engine, ticket_id: int, when: datetime) -> None:
    stored = when.replace(tzinfo=None) if engine.dialect.name == "sqlite" else when
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE tickets SET created_at = :when WHERE id = :id"),
            {"when": stored, "id": ticket_id},
        )


@pytest.mark.parametrize(
    ("first_created", "today", "total", "expected"),
    [
        (datetime(2026, 11, 1, 23, 59, tzinfo=UTC), date(2026, 11, 10), 3, 0.3),  # 10 days
        (datetime(2026, 11, 10, 0, 0, tzinfo=UTC), date(2026, 11, 10), 3, 3.0),  # same day
        (datetime(2026, 11, 8, 0, 1, tzinfo=UTC), date(2026, 11, 10), 2, 0.7),  # 3 days: 0.666
    ],
)
def test_average_per_day_counts_calendar_days_inclusive(
    client, admin, engine, first_created, today, total, expected
):
    created = [make_ticket(client, category="general", priority="low") for _ in range(total)]
    _backdate(engine, created[0]["id"], first_created)
    stats = stats_service.get_stats(admin.actor, filters=parse_filters(), today=today)
    assert stats.total_tickets == total
    assert stats.avg_tickets_per_day == expected


def test_first_day_is_the_utc_calendar_day(client, admin, engine):
    ticket = make_ticket(client, category="general", priority="low")
    # 23:30 at UTC-05:00 is already the next day in UTC.
    local = datetime(2026, 11, 9, 23, 30, tzinfo=UTC) + timedelta(hours=5)
    _backdate(engine, ticket["id"], local)
    stats = stats_service.get_stats(admin.actor, filters=parse_filters(), today=date(2026, 11, 10))
    assert stats.avg_tickets_per_day == 1.0  # first day 2026-11-10: one day


def test_daily_counts_cover_thirty_days_with_zeros(client, admin, engine):
    today = datetime.now(UTC).date()
    old = make_ticket(client, category="general", priority="low")
    make_ticket(client, category="general", priority="low")
    _backdate(engine, old["id"], datetime.now(UTC) - timedelta(days=3))
    days = stats_service.daily_counts(admin.actor, days=30)
    assert len(days) == 30
    assert days[-1] == (today, 1)
    assert dict(days)[today - timedelta(days=3)] == 1
    assert sum(count for _, count in days) == 2


def test_suggestion_agreement_counts_kept_suggestions(client, admin):
    kept = client.post(
        "/api/tickets/", json={"title": "Charged twice", "description": "Double charge on card"}
    ).json()
    changed = client.post(
        "/api/tickets/", json={"title": "Login", "description": "Cannot sign in to my account"}
    ).json()
    client.post("/api/tickets/", json={**_full(), "title": "No suggestion"})
    client.patch(f"/api/tickets/{changed['id']}/", json={"priority": _other(changed["priority"])})
    agreement = stats_service.suggestion_agreement(admin.actor)
    assert (agreement.agreed, agreement.suggested) == (1, 2)
    assert agreement.share == 0.5
    assert kept["suggested_category"] is not None


def _full():
    return {"description": "d", "category": "general", "priority": "low"}


def _other(priority: str) -> str:
    return "low" if priority != "low" else "high"
